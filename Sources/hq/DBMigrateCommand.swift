import ArgumentParser
import HQStorage
import Logging

extension DBCommand {
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply db/migrations (new or changed files) to the database.",
            discussion: "Starts the embedded cluster if needed. Creates the Supabase roles a plain cluster lacks.")
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let env = AppEnvironment()
            let set = try CLIError.wrap { try MigrationSet(directory: env.migrationsDirectory) }
            let outcomes = try await env.withConnection { connection in
                try await MigrationRunner(migrations: set, logger: env.logger).migrate(connection)
            }
            if json {
                try printJSON(["migrations": outcomes.map { ["name": $0.name, "outcome": $0.outcome.rawValue] }])
                return
            }
            for (name, outcome) in outcomes where outcome != .unchanged {
                print("\(outcome.rawValue): \(name)")
            }
            let changed = outcomes.filter { $0.outcome != .unchanged }.count
            print("schema up to date (\(outcomes.count) migrations, \(changed) applied now)")
        }
    }
}
