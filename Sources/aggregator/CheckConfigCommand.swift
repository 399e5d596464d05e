import ArgumentParser
import CommandSupport
import Config
import Foundation

struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check feeds.conf and print every problem in it, with its line number.",
        discussion: "Exit status 1 when the file has errors; warnings alone pass.")

    @OptionGroup var paths: PathOptions

    func run() throws {
        let path = paths.resolve(writable: false).config
        let configuration: Configuration
        do {
            configuration = try ConfigParser.load(path: path)
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
        for diagnostic in configuration.diagnostics { print(diagnostic.description) }
        let errors = configuration.errors.count, warnings = configuration.warnings.count
        if errors > 0 {
            print("\(path): \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
            throw ExitCode.failure
        }
        print("\(path): \(configuration.feeds.count) feeds, no errors"
              + (warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : ""))
    }
}
