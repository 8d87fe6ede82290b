/**
 * Ends a jest run with one plain "N passed, N failed" line (plus skipped), which CI reads to
 * count the tests that ran.
 */
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed`;
    process.stdout.write(`\n${skipped > 0 ? `${line}, ${skipped} skipped` : line}\n`);
  }
}

module.exports = PlainSummaryReporter;
