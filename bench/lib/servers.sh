# The servers bench/compare.sh measures, each in its own directory under $WORK and bound to
# $HOST: the upstream, the nginx proxy and Chaperone. Sourced, never run.

TAKEN_PORTS=" "

pick_port() {  # pick_port VAR: a random port that no local socket uses
    local port hex attempt
    for ((attempt = 0; attempt < 200; attempt++)); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        [[ $TAKEN_PORTS == *" $port "* ]] && continue
        printf -v hex ':%04X ' "$port"
        grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null && continue
        TAKEN_PORTS+="$port "
        printf -v "$1" '%s' "$port"
        return 0
    done
    die "found no free port"
}

write_nginx_conf() {  # write_nginx_conf DIR HTTP_BLOCK: one worker, in the foreground
    local dir=$1 user=""
    # Started as root, nginx drops its worker to nobody, which must read the static file.
    [[ $(id -u) == 0 ]] && user="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
    mkdir -p "$dir/tmp"
    # The temp paths are compiled in under /var/lib/nginx: keep them in the scratch space.
    cat >"$dir/nginx.conf" <<EOF
$user
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  default_type text/plain;
  keepalive_timeout 60s;
  keepalive_requests 1000000;
  client_body_buffer_size 64k;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
$2
}
EOF
    chmod 600 "$dir/nginx.conf"
}

start_nginx() {  # start_nginx LABEL DIR: runs DIR/nginx.conf once nginx accepts it
    nginx -t -q -p "$2/" -c "$2/nginx.conf" -e "$2/error.log" >"$2/test.log" 2>&1 \
        || { cat "$2/test.log" >&2; die "nginx refused the $1 configuration"; }
    start "$1" "$2/stdout.log" nginx -p "$2/" -c "$2/nginx.conf" -e "$2/error.log"
}

start_upstream() {  # start_upstream PORT: the API that both proxies forward to
    local dir=$WORK/upstream
    mkdir -p "$dir/www"
    head -c 16384 /dev/zero | tr '\0' 'a' >"$dir/www/16k"
    chmod -R a+rX "$dir/www"
    # `return` answers before the body has arrived. /post hands the request to this same
    # server instead, so nginx reads the whole body first: a proxy that loses bytes stalls.
    write_nginx_conf "$dir" "  upstream itself {
    server $HOST:$1;
    keepalive 32;
  }
  server {
    listen $HOST:$1;
    root $dir/www;
    location = /ok { return 200 \"ok\\n\"; }
    location = /16k { }
    location = /whoami { return 200 \"\$http_authorization\\n\"; }
    location = /post {
      proxy_pass http://itself/received;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
    location = /received { return 200 \"received \$content_length bytes\\n\"; }
    location / { return 404 \"no such endpoint\\n\"; }
  }"
    start_nginx upstream "$dir"
}

start_nginx_proxy() {  # start_nginx_proxy PORT UPSTREAM_PORT: the reference proxy
    local dir=$WORK/nginx
    write_nginx_conf "$dir" "  upstream api {
    server $HOST:$2;
    keepalive 256;
    keepalive_requests 1000000;
  }
  server {
    listen $HOST:$1;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Authorization \"Bearer $TOKEN\";
    }
  }"
    start_nginx nginx "$dir"
}

start_chaperone() {  # start_chaperone PORT UPSTREAM_PORT: the proxy under test
    local dir=$WORK/chaperone
    mkdir -p "$dir"
    cat >"$dir/chaperone.yaml" <<EOF
version: 1
listen: $HOST:$1
workers: $CHAPERONE_WORKERS
$(identity_section)
$(vault_section "$dir")
audit:
  store: sqlite:$dir/audit.db
  durability: $AUDIT
routes:
  - name: bench
    path: /**
    upstream: http://$HOST:$2
$(credential_lines)
EOF
    [[ $VAULT == 1 ]] && store_bench_grant "$dir"
    # The token reaches Chaperone through its environment only, never through argv. Its
    # stderr carries the request log, one JSON line per request.
    (export BENCH_TOKEN=$TOKEN && exec "$CHAPERONE" serve --config "$dir/chaperone.yaml") \
        </dev/null >"$dir/stdout.log" 2>"$dir/stderr.log" &
    own chaperone "$!"
}

start_issuer() {  # the test issuer: keys, a JWKS endpoint and tokens minted by PyJWT
    local dir=$WORK/issuer deadline=$((SECONDS + 10))
    mkdir -p "$dir"
    # Debian's interpreter, where python3-jwt lives, whatever python3 comes first on PATH.
    start issuer "$dir/stdout.log" /usr/bin/python3 \
        "$REPO_ROOT/Tests/ChaperoneEndToEndTests/Fixtures/issuer.py"
    until grep -q '^PORT ' "$dir/stdout.log" 2>/dev/null; do
        ((SECONDS < deadline)) || die "the test issuer did not start: $(cat "$dir/stdout.log")"
        sleep 0.1
    done
    ISSUER_PORT=$(awk '/^PORT / { print $2 }' "$dir/stdout.log")
}

mint_token() {  # an on-behalf-of token valid for two hours
    curl -sS --noproxy '*' --max-time 5 -X POST "http://$HOST:$ISSUER_PORT/mint" \
        -d "{\"claims\": {\"sub\": \"alice\", \"scope\": \"read\", \"exp\": $(($(date +%s) + 7200)),
             \"act\": {\"sub\": \"agent-1\", \"sub_profile\": \"ai_agent\"}}}"
}

start_token_endpoint() {  # the scripted token endpoint of the tests, for VAULT=1
    local dir=$WORK/token-endpoint deadline=$((SECONDS + 10))
    mkdir -p "$dir"
    start token-endpoint "$dir/stdout.log" /usr/bin/python3 \
        "$REPO_ROOT/Tests/ChaperoneEndToEndTests/Fixtures/token_endpoint.py"
    until grep -q '^PORT ' "$dir/stdout.log" 2>/dev/null; do
        ((SECONDS < deadline)) || die "the token endpoint did not start"
        sleep 0.1
    done
    TOKEN_ENDPOINT_PORT=$(awk '/^PORT / { print $2 }' "$dir/stdout.log")
}

vault_section() {  # vault_section DIR: the vault and the connection, for VAULT=1
    [[ $VAULT == 1 ]] || return 0
    printf 'vault:\n  store: sqlite:%s/vault.db\n  key: {file: %s/vault.key}\n' "$1" "$1"
    printf 'connections:\n  bench:\n    token_url: http://%s:%s/token\n' \
        "$HOST" "$TOKEN_ENDPOINT_PORT"
    printf '    client_id: bench\n    client_secret: {env: BENCH_TOKEN}\n'
}

credential_lines() {
    if [[ $VAULT == 1 ]]; then
        printf '    connection: bench\n    scopes: [read]\n'
    else
        printf '    credential: {static: {env: BENCH_TOKEN}}\n'
    fi
}

store_bench_grant() {  # store_bench_grant DIR: a vault key and the grant of the bench user
    (umask 077 && openssl rand -base64 -out "$1/vault.key" 32) || die "openssl rand failed"
    printf 'bench-refresh-token' | BENCH_TOKEN=$TOKEN "$CHAPERONE" vault put --user alice \
        --connection bench --config "$1/chaperone.yaml" >/dev/null 2>"$1/vault-put.log" \
        || die "vault put failed: $(cat "$1/vault-put.log")"
}

identity_section() {
    [[ $IDENTITY == 1 ]] || return 0
    printf 'identity:\n  issuer: https://issuer.test/\n  audience: https://chaperone.test\n'
    printf '  jwks_url: http://%s:%s/jwks.json\n' "$HOST" "$ISSUER_PORT"
}

wait_until_serving() {  # wait_until_serving LABEL URL SECONDS LOGFILE: until GET URL is 200
    local label=$1 url=$2 deadline=$((SECONDS + $3)) logfile=$4 code
    while ((SECONDS < deadline)); do
        if ! alive "${PID_OF[$label]}"; then
            tail -n 20 "$logfile" >&2
            die "$label exited before it served $url"
        fi
        code=$(curl -s --noproxy '*' --max-time 1 -o /dev/null -w '%{http_code}' \
            -H "Authorization: $PLACEHOLDER" "$url")
        [[ $code == 200 ]] && return 0
        sleep 0.1
    done
    tail -n 20 "$logfile" >&2
    die "$label did not answer 200 on $url within $3 s"
}
