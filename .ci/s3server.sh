#!/usr/bin/env bash
# s3server.sh installs versitygw, the S3-compatible server that tailor's
# tests start on loopback (internal/s3test), and can run one by hand.
#
#   .ci/s3server.sh install          install versitygw $VGW_VERSION unless it is
#                                    there already; print the binary's path
#   .ci/s3server.sh path             print the binary's path; exit 1 if absent
#   .ci/s3server.sh start DIR [ADDR] serve DIR (posix backend) on ADDR
#                                    (default 127.0.0.1:7070) in the background;
#                                    print the environment a client needs
#   .ci/s3server.sh stop DIR         stop the server started on DIR
#
# Tests find the binary through $TAILOR_VERSITYGW, then PATH, then
# $(go env GOPATH)/bin; with TAILOR_REQUIRE_S3 set they fail instead of
# skipping when it is absent.
set -euo pipefail

VGW_VERSION=${VGW_VERSION:-v1.8.0}
VGW_MODULE=github.com/versity/versitygw
# Test-only credentials for a server bound to loopback.
ACCESS_KEY=${TAILOR_S3_ACCESS_KEY:-tailortest}
SECRET_KEY=${TAILOR_S3_SECRET_KEY:-tailortest-secret}

bindir() {
	local gobin
	gobin=$(go env GOBIN)
	if [[ -n $gobin ]]; then echo "$gobin"; else echo "$(go env GOPATH)/bin"; fi
}

installed() { # true when $1 is versitygw at $VGW_VERSION
	[[ -x $1 ]] && go version -m "$1" 2>/dev/null | grep -q "mod[[:space:]]*$VGW_MODULE[[:space:]]*$VGW_VERSION"
}

cmd_install() {
	local bin
	bin="$(bindir)/versitygw"
	if ! installed "$bin"; then
		echo "s3server: installing versitygw $VGW_VERSION" >&2
		GOFLAGS=-buildvcs=false go install "$VGW_MODULE/cmd/versitygw@$VGW_VERSION"
		installed "$bin" || { echo "s3server: $bin is not versitygw $VGW_VERSION after install" >&2; exit 1; }
	fi
	echo "$bin"
}

cmd_path() {
	local bin
	bin="$(bindir)/versitygw"
	if [[ -n ${TAILOR_VERSITYGW:-} ]]; then bin=$TAILOR_VERSITYGW; fi
	[[ -x $bin ]] || { echo "s3server: versitygw not installed (run $0 install)" >&2; exit 1; }
	echo "$bin"
}

cmd_start() {
	local dir=${1:?usage: $0 start DIR [ADDR]} addr=${2:-127.0.0.1:7070} bin
	bin=$(cmd_path)
	mkdir -p "$dir"
	if [[ -f $dir/.versitygw.pid ]] && kill -0 "$(cat "$dir/.versitygw.pid")" 2>/dev/null; then
		echo "s3server: already running on $dir (pid $(cat "$dir/.versitygw.pid"))" >&2
		exit 1
	fi
	# --keep-alive: without it versitygw closes the connection after every
	# response, unlike S3, and each GET pays for a new connection.
	"$bin" --port "$addr" --access "$ACCESS_KEY" --secret "$SECRET_KEY" --quiet --keep-alive \
		posix "$dir" >"$dir/.versitygw.log" 2>&1 &
	echo $! >"$dir/.versitygw.pid"
	for _ in $(seq 100); do
		if curl -s -o /dev/null "http://$addr/"; then
			echo "export TAILOR_S3_ENDPOINT=http://$addr AWS_ACCESS_KEY_ID=$ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SECRET_KEY AWS_REGION=us-east-1"
			return 0
		fi
		kill -0 "$(cat "$dir/.versitygw.pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "s3server: versitygw did not start; its log:" >&2
	cat "$dir/.versitygw.log" >&2
	exit 1
}

cmd_stop() {
	local dir=${1:?usage: $0 stop DIR} pid
	[[ -f $dir/.versitygw.pid ]] || exit 0
	pid=$(cat "$dir/.versitygw.pid")
	kill "$pid" 2>/dev/null || true
	rm -f "$dir/.versitygw.pid"
}

case ${1:-} in
install) cmd_install ;;
path) cmd_path ;;
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
*)
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
