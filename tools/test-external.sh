# Sourced by tools/test.sh after the test stack's env: servers the user named (KAFKA_BROKERS, MONGO_URL,
# XMPP_SERVICE) are shared, so the run keeps to its own names there and deletes them at the end.
#   wk_test_external_begin FILE  when a server is external: notes what it holds now (tools/test-cleanup.cjs
#                                before FILE) and, for an external Kafka, exports a per-run
#                                WATCHKEEPER_TOPIC_PREFIX (wktest-<run>.) so every topic and consumer group
#                                of the run is its own and nothing reaches the unprefixed (production) topics.
#                                Sets WK_TEST_EXTERNAL=1 when there is anything to clean up.
#   wk_test_external_end FILE    deletes the run's databases, its prefixed topics and its groups.
wk_test_external_begin() {
  WK_TEST_EXTERNAL=0
  case " ${WATCHKEEPER_MANAGED:-} " in *" kafka "*) ;; *)
    WATCHKEEPER_TOPIC_PREFIX="wktest-$(date -u +%y%m%d%H%M%S)-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')."
    export WATCHKEEPER_TOPIC_PREFIX
    echo "[test] Kafka is external ($KAFKA_BROKERS): this run's topics and consumer groups are named ${WATCHKEEPER_TOPIC_PREFIX}…" >&2
    ;;
  esac
  if [ "${WATCHKEEPER_MANAGED:-}" != "kafka mongo prosody" ]; then
    node "$(dirname "${BASH_SOURCE[0]}")/test-cleanup.cjs" before "$1"
    WK_TEST_EXTERNAL=1
  fi
}

wk_test_external_end() {
  [ "${WK_TEST_EXTERNAL:-0}" = 1 ] || return 0
  node "$(dirname "${BASH_SOURCE[0]}")/test-cleanup.cjs" after "$1"
}
