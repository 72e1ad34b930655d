#!/bin/bash
# As the Kafka distribution's script of this name.
exec /opt/kafka/bin/kafka-run-class.sh kafka.admin.ConfigCommand "$@"
