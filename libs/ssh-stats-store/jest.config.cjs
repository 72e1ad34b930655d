/** @type {import('jest').Config} */
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'ssh-stats-store', rootDir: __dirname };
