# The Debian packages Chaperone builds and runs with, and those its tests add.
# Sourced by scripts/run and scripts/test.
RUN_PACKAGES=(libmicrohttpd-dev libcurl4-openssl-dev libyaml-dev libssl-dev libjansson-dev
  libsqlite3-dev libgoogle-perftools-dev pkg-config ca-certificates)
# glewlwyd is the real OAuth 2 / OIDC authority the tests start; sqlite3 loads its schema.
TEST_PACKAGES=(python3 python3-jwt python3-cryptography openssl curl glewlwyd sqlite3)
# The user's side of Glewlwyd in a browser: headless Chromium, its WebDriver, Selenium.
TEST_PACKAGES+=(chromium chromium-driver python3-selenium)
# Checks of deploy/: systemd-analyze and systemd-sysusers, strace against the unit's system
# call filter, iptables and ip for the pod's egress rules, readelf for the libraries the
# binary links, a venv for the PyPI validators.
TEST_PACKAGES+=(systemd strace iptables iproute2 binutils python3-venv)
