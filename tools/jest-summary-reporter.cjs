// Records each Jest run's totals and failure messages so tools/test.sh can print one closing line for the whole workspace.
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
    const failing = results.testResults.filter((r) => r.testExecError || r.failureMessage);
    const failedSuites = failing.map((r) => path.relative(process.cwd(), r.testFilePath));
    // CI keeps only the tail of the log, so the closing summary repeats why each suite failed.
    const failures = failing.map((r) => ({
      suite: path.relative(process.cwd(), r.testFilePath),
      // eslint-disable-next-line no-control-regex
      message: String(r.failureMessage || r.testExecError?.message || '').replace(/\x1b\[[0-9;]*m/g, '').slice(0, 4000),
    }));
    fs.writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({ project: path.basename(this.globalConfig.rootDir), passed: results.numPassedTests, failed: results.numFailedTests, skipped: results.numPendingTests, suiteErrors: results.numRuntimeErrorTestSuites, failedSuites, failures }),
    );
  }
}
module.exports = SummaryReporter;
