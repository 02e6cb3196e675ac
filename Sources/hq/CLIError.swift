import ArgumentParser
import HQStorage

/// A one-line error for people at a terminal, with a next step; exits with status 1.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    let hint: String?

    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    var description: String { hint.map { "\(message)\n  hint: \($0)" } ?? message }

    /// Runs `body`, turning library errors into `CLIError`s with their hints.
    static func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ClusterError {
            throw CLIError(error.message, hint: error.hint)
        } catch let error as MigrationError {
            throw CLIError(error.message, hint: error.hint)
        }
    }
}
