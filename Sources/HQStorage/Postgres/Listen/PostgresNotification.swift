/// A notification from `NOTIFY channel, 'payload'` (or `pg_notify`).
public struct PostgresNotification: Sendable, Hashable {
    /// The channel name.
    public var channel: String
    /// The payload; empty when none was given.
    public var payload: String
    /// The process id of the notifying server backend.
    public var pid: Int

    /// Creates a notification value.
    public init(channel: String, payload: String, pid: Int) {
        self.channel = channel
        self.payload = payload
        self.pid = pid
    }
}
