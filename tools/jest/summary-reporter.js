// Ends every Jest run with one plain line, `jest: N passed, N failed, N skipped`, that CI logs
// and people can read at a glance. Skips are counted so a silently skipped test is visible.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numFailedTestSuites + results.numRuntimeErrorTestSuites;
    process.stdout.write(
      `\njest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped` +
        (failedSuites ? ` (${failedSuites} suites failed to run or failed)` : '') +
        '\n',
    );
  }
}

module.exports = SummaryReporter;
