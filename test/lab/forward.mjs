// A TCP forwarder for the lab: containers cannot reach the lab registries, which listen on the host's 127.0.0.1 only.
// Listens on ADDRESS:PORT for each PORT and passes every connection, bytes untouched (TLS goes end to end), to
// 127.0.0.1:PORT. Containers reach it under the registries' own names through `--add-host NAME:ADDRESS`, so the
// certificate's names still match.
//
//   node forward.mjs ADDRESS PORT...
import net from 'node:net';

const [address, ...ports] = process.argv.slice(2);
if (address === undefined || ports.length === 0) {
  console.error('usage: node forward.mjs ADDRESS PORT...');
  process.exit(2);
}

for (const port of ports.map(Number)) {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  server.on('error', (error) => {
    console.error(`forward ${address}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, address, () => console.log(`forwarding ${address}:${port} to 127.0.0.1:${port}`));
}
