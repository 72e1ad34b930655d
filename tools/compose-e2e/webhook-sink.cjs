// A webhook receiver for the compose end-to-end test: logs every request body as one JSON line on
// stdout (read with `docker logs`) and answers 200. Runs in the stack's Node image on the lab network.
const http = require('node:http');
const port = Number(process.env.PORT || 9000);
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    if (req.method === 'POST') process.stdout.write(JSON.stringify({ path: req.url, body }) + '\n');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  });
});
server.listen(port, () => process.stdout.write(`webhook-sink listening on ${port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
