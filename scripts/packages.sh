# The Debian packages Chaperone builds and runs with, and those its tests add.
# Sourced by scripts/run and scripts/test.
RUN_PACKAGES=(libmicrohttpd-dev libcurl4-openssl-dev libyaml-dev libssl-dev libjansson-dev
  libsqlite3-dev libgoogle-perftools-dev pkg-config ca-certificates)
# The demo scripts/run brings up: Glewlwyd, the authority (sqlite3 loads its schema, openssl
# makes its signing key), the sample API and set-up in Python 3, curl to wait for Chaperone.
RUN_PACKAGES+=(glewlwyd sqlite3 python3 openssl curl)
# PyJWT mints and checks tokens in the tests; Glewlwyd is their authority too.
TEST_PACKAGES=(python3-jwt python3-cryptography)
# The user's side of Glewlwyd in a browser: headless Chromium, its WebDriver, Selenium.
TEST_PACKAGES+=(chromium chromium-driver python3-selenium)
# Checks of deploy/: systemd-analyze and systemd-sysusers, strace against the unit's system
# call filter, iptables and ip for the pod's egress rules, readelf for the libraries the
# binary links, a venv for the PyPI validators.
TEST_PACKAGES+=(systemd strace iptables iproute2 binutils python3-venv)
