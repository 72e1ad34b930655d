#!/bin/bash
# HEALTHCHECK for the FerretDB image: its debug listener's /debug/readyz (the backend answers), read
# with bash's /dev/tcp because the image carries no HTTP client. Exit 0 ready, 1 not.
exec 3<>/dev/tcp/127.0.0.1/8088 || exit 1
printf 'GET /debug/readyz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r -t 5 _ status _ <&3 || exit 1
[ "$status" = 200 ]
