import ArgumentParser

@main
struct HQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hq",
        abstract: "HQ Search: the knowledge engine of HQ.",
        subcommands: [])
}
