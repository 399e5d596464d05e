import ArgumentParser
import Fetcher

/// The CLI: query what aggregatord collected, poll once, inspect feeds and the config.
@main
struct Aggregator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregator",
        abstract: "Read and manage the articles collected by aggregatord.",
        version: UserAgent.version,
        subcommands: [ListCommand.self, SearchCommand.self, ShowCommand.self, OpenCommand.self, ReadCommand.self,
                      UnreadCommand.self, StarCommand.self, UnstarCommand.self, AddCommand.self, RemoveCommand.self, HooksCommand.self, FetchCommand.self, FeedsCommand.self, ImportOPMLCommand.self,
                      ExportOPMLCommand.self, ExportCommand.self, StatsCommand.self, PruneCommand.self, ParseCommand.self,
                      CheckConfigCommand.self, CheckCommand.self, BackupCommand.self, StoreCommand.self])
}
