-- Prosody 0.12 for the docker compose lab stack (docker/compose.yaml). Client connections only
-- (no server-to-server), a pubsub component for heartbeat requests, accounts created at start by
-- entrypoint.sh from the passwords in docker/.env.
local domain = ENV_XMPP_DOMAIN or "watchkeeper.lab"

admins = { "wk-server@" .. domain } -- only admins may create pubsub nodes
plugin_paths = {}
modules_enabled = {
  "roster"; "saslauth"; "disco"; "ping"; "pep"; "time"; "version"; "uptime"; "posix";
}
-- STARTTLS only with a certificate for the domain (mounted at /etc/prosody/certs/<domain>.crt and
-- .key): offered without one, every client's TLS handshake fails.
local cert_dir = ENV_XMPP_CERT_DIR or "/etc/prosody/certs"
local cert = io.open(cert_dir .. "/" .. domain .. ".crt")
if cert then
  cert:close()
  modules_enabled[#modules_enabled + 1] = "tls"
end
modules_disabled = { "s2s" }
pidfile = "/var/run/prosody/prosody.pid"
data_path = "/var/lib/prosody"
-- Logs go to the container's stdout so `docker compose logs prosody` shows them.
log = { info = "*console" }

-- Inside the lab network; TLS is terminated here when certificates are mounted at
-- /etc/prosody/certs (see docs/operations.md, "Security"). Without them, plain SCRAM on the
-- private network, as the services' XMPP client negotiates SCRAM-SHA-1.
c2s_require_encryption = ENV_XMPP_REQUIRE_TLS == "true"
allow_unencrypted_plain_auth = false
authentication = "internal_hashed"
allow_registration = false
storage = "internal"
certificates = cert_dir

VirtualHost(domain)

Component("pubsub." .. domain) "pubsub"
  -- new nodes: open to subscribers, publishing only by the node's publishers (the heartbeat-server)
  pubsub_max_items = 20
