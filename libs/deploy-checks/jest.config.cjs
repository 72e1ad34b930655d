/** @type {import('jest').Config} */
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'deploy-checks', rootDir: __dirname, testTimeout: 120000 };
