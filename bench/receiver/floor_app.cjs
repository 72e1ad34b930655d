#!/usr/bin/env node
// The framework floor, for the CPU budget: express 5 + helmet + express.json answering
// PUT /v1/host-health/:host with the receiver's answer shape — no token, no validation, no database,
// no Kafka. Whatever this costs per request, the receiver cannot cost less while built on express 5 and
// helmet (the issue names both). Usage: node floor_app.cjs PORT
const express = require('express');
const helmet = require('helmet');

const app = express();
app.disable('x-powered-by');
app.use(helmet());
app.put('/v1/host-health/:host', express.json({ limit: '1mb' }), (req, res) => {
  res.status(200).json({ host: req.params.host, receivedAt: new Date().toISOString() });
});
app.listen(Number(process.argv[2]), '127.0.0.1');
