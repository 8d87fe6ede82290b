import { findSignalCliDaemons } from '../../../src/doctor/signal-cli-process';

describe('findSignalCliDaemons reads signal-cli daemons from command lines', () => {
  it('reads the account, receive mode and port from the shell wrapper', () => {
    const lines = [
      '/bin/sh /usr/local/bin/signal-cli -a +15550100000 daemon --http 127.0.0.1:8080 --receive-mode=on-connection',
    ];
    expect(findSignalCliDaemons(lines)).toEqual([
      { account: '+15550100000', receiveMode: 'on-connection', httpPort: 8080 },
    ]);
  });

  it('reads the Java process of a multi-account daemon, with the option values after a space', () => {
    const lines = [
      '/usr/lib/jvm/bin/java -classpath /opt/signal-cli/lib/signal-cli.jar org.asamk.signal.Main --config /srv/signal daemon --receive-mode manual --http=localhost:7583',
    ];
    expect(findSignalCliDaemons(lines)).toEqual([
      { account: undefined, receiveMode: 'manual', httpPort: 7583 },
    ]);
  });

  it("uses signal-cli's defaults: on-start, and port 8080 for a bare --http", () => {
    const lines = ['signal-cli --account=+15550100009 daemon --http --send-read-receipts'];
    expect(findSignalCliDaemons(lines)).toEqual([
      { account: '+15550100009', receiveMode: 'on-start', httpPort: 8080 },
    ]);
  });

  it('ignores daemons without an HTTP listener and processes that are not signal-cli', () => {
    const lines = [
      'signal-cli -a +15550100000 daemon --tcp 127.0.0.1:6001',
      'node dist/src/main.js daemon --http 127.0.0.1:8080',
      'vim signal-cli-notes.txt',
      '',
    ];
    expect(findSignalCliDaemons(lines)).toEqual([]);
  });
});
