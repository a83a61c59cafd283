// A webhook receiver for the support-link tests, run as a child process (inside a network namespace when the
// server is in one): listens on 127.0.0.1, a picked port; prints `{"port":N}` once listening, then one JSON
// line per request received, `{"method","url","headers","body"}` with the raw body in base64 (the bytes as
// received, for the signature check), and answers 204. Stops on SIGTERM.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('base64');
    process.stdout.write(
      `${JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body })}\n`,
    );
    res.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
