// Records each Jest run's totals so tools/test.sh can print one closing line for the whole workspace.
const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }
  onRunComplete(_contexts, results) {
    const dir = process.env.WK_TEST_RESULTS_DIR;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const name = path.basename(this.globalConfig.rootDir) + '-' + process.pid;
    const failedSuites = results.testResults.filter((r) => r.testExecError || r.failureMessage).map((r) => path.relative(process.cwd(), r.testFilePath));
    fs.writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({ project: path.basename(this.globalConfig.rootDir), passed: results.numPassedTests, failed: results.numFailedTests, skipped: results.numPendingTests, suiteErrors: results.numRuntimeErrorTestSuites, failedSuites }),
    );
  }
}
module.exports = SummaryReporter;
