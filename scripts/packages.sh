# The Debian packages Chaperone builds and runs with, and those its tests add.
# Sourced by scripts/run and scripts/test.
RUN_PACKAGES=(libmicrohttpd-dev libcurl4-openssl-dev libyaml-dev libssl-dev libjansson-dev
  libsqlite3-dev pkg-config ca-certificates)
TEST_PACKAGES=(python3 python3-jwt python3-cryptography openssl curl)
