/// The help texts of `chaperone vault` and its commands.
enum VaultHelp {
    static let group = """
        Usage: chaperone vault <command> [options]

        Manages the token vault: one refresh token per user and connection, sealed with
        AES-256-GCM under the key that vault.key names, in the store vault.store names.

        Commands:
          put          store a user's refresh token for a connection, read from standard input
          list         show the grants, without any secret material
          revoke       revoke a user's grant for a connection and erase its token
          rotate-key   re-seal every grant under a new key

        Options of every command:
          -c, --config PATH   configuration file (default: ./proxy.yaml)
          -h, --help          show help for a command

        Exit status: 0 done; 1 failed (invalid configuration, unreadable or wrong key, no
        such grant or connection, bad input); 64 usage error.
        """

    static let put = """
        Usage: chaperone vault put --user SUB --connection NAME [--scopes "A B"]
                                   [--config PATH]

        Reads the user's refresh token from standard input and stores it sealed,
        replacing any earlier grant of that user for that connection. One trailing line
        break is removed; an empty token is refused. At a terminal the input is not shown
        and ends at the first line break.

        The token is never taken as an argument: arguments are visible to every user of
        the machine in the process list.

          --user SUB          the user, as the sub of the tokens that act for them
          --connection NAME   a connection defined under connections in the configuration
          --scopes "A B"      the scopes the user granted, separated by spaces (default:
                              the connection's scopes)

        Example:
          chaperone vault put --user 'auth0|alice' --connection github < token.txt
        """

    static let list = """
        Usage: chaperone vault list [--user SUB] [--connection NAME] [--config PATH]

        Prints the grants, or those of one user or connection, as a table: user,
        connection, scopes, state (active or revoked), when created, last used and last
        refreshed (UTC), and the id of the key the token is sealed under. Never prints a
        token. The key must be the vault's: a wrong key is an error, not an empty list.
        """

    static let revoke = """
        Usage: chaperone vault revoke --user SUB --connection NAME [--config PATH]

        Marks the user's grant for the connection revoked and erases its sealed token; the
        record stays for vault list. Revoking a revoked grant does nothing and succeeds.
        A new vault put for the same user and connection makes a fresh grant.
        """

    static let rotateKey = """
        Usage: chaperone vault rotate-key (--new-key-file PATH | --new-key-env NAME)
                                          [--config PATH]

        Opens every grant with the current key (vault.key) and seals it under the new
        one, all in one transaction: if anything fails, nothing changes. The new key is
        32 random bytes, raw or base64, read from a file (a relative PATH is taken from
        the current directory) or from an environment variable, never from an argument.
        Create one with:  openssl rand -base64 32 > new-vault.key

        Afterwards vault.key must name the new key: until it does, every vault command
        refuses the vault as sealed under another key, naming both key ids.
        """
}
