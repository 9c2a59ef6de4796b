#if canImport(Glibc)
import Glibc
#endif

// Everything lives in other files: code in main.swift is main-actor isolated, and C
// libraries call back on their own threads.
exit(CommandLineInterface.run(arguments: Array(CommandLine.arguments.dropFirst())))
