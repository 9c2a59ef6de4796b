/// The help texts of `chaperone audit` and its commands.
enum AuditHelp {
    static let group = """
        Usage: chaperone audit <command> [options]

        Reads the audit log: one hash-chained record per request in the store that
        audit.store names, with checkpoints signed by audit.signing_key.

        Commands:
          verify       check the chain and the checkpoints; name the first record changed,
                       removed, reordered or inserted
          query        print the records that match, as a table or JSON lines
          tail         print the latest records, then new ones as they are written
          checkpoint   print the latest signed checkpoint, to keep somewhere else

        Options of every command:
          -c, --config PATH   configuration file (default: ./proxy.yaml)
          -h, --help          show help for a command

        Exit status: 0 done (verify: intact); 1 failed or something is wrong (invalid
        configuration, no store, a broken chain or checkpoint); 64 usage error.
        """

    static let verify = """
        Usage: chaperone audit verify [--checkpoint FILE] [--config PATH]

        Walks every record: each must carry the next sequence number and the hash
        SHA-256(previous hash || its canonical text), and its query columns must agree
        with its text. Checks every stored checkpoint's Ed25519 signature against the
        public key of audit.signing_key and that the chain has the hash it signed.
        Prints what it found and exits 0 when everything holds, 1 otherwise, naming each
        break by sequence number: changed, removed, swapped, inserted, truncated.

          --checkpoint FILE   also check checkpoints exported with chaperone audit
                              checkpoint (one JSON line each; a file may hold several).
                              Only these show that records were cut off the end of the
                              store, since whoever cuts them can delete stored
                              checkpoints too.

        Example:
          chaperone audit checkpoint >> /mnt/offsite/chaperone-checkpoints.jsonl
          chaperone audit verify --checkpoint /mnt/offsite/chaperone-checkpoints.jsonl
        """

    static let query = """
        Usage: chaperone audit query [--user SUB] [--actor SUB] [--route NAME]
                                     [--decision forwarded|denied|error|held] [--since TIME]
                                     [--until TIME] [--limit N] [--json] [--config PATH]

        Prints the records that match every condition given, oldest first: as a table, or
        with --json as JSON lines, each the record's canonical text.

          --user SUB          the caller's sub
          --actor SUB         the sub of any actor in the record's act chain
          --route NAME        the route's name
          --decision D        forwarded, denied, error, held or sending
          --since TIME        at or after TIME; --until TIME: before TIME. TIME is an RFC
                              3339 time (2026-03-01T12:00:00Z), a date (2026-03-01, UTC)
                              or a duration ago (30m, 1h, 2d)
          --limit N           only the latest N of them

        Example:
          chaperone audit query --user 'auth0|alice' --decision denied --since 24h
        """

    static let tail = """
        Usage: chaperone audit tail [--lines N] [--json] [--config PATH]

        Prints the latest N records (default 10), then each new record as chaperone serve
        commits it, until interrupted. Reading never stands in the way of the writer.
        With --json, each record is printed as its canonical text.
        """

    static let checkpoint = """
        Usage: chaperone audit checkpoint [--config PATH]

        Prints the latest signed checkpoint as one JSON line: the sequence number and
        chain hash it covers, when it was signed, the public key and the signature.
        Keep these lines where whoever can write the store cannot (another host, write-
        once storage): chaperone audit verify --checkpoint FILE then detects records
        changed or removed up to that point, the end of the store included. Exits 1 when
        there is no checkpoint yet, or when the latest one does not verify.
        """
}
