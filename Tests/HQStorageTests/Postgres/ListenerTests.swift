import Foundation
import HQStorage
import HQTestSupport
import Testing

extension PostgresIntegration {
    @Suite struct Listening {
        private func notify(_ channel: String, _ payload: String) async throws {
            _ = try await withTestConnection { (connection: PostgresConnection) async throws in
                try await connection.execute("SELECT pg_notify(\(channel), \(payload))")
            }
        }

        @Test("a NOTIFY reaches the listener with channel, payload and pid")
        func receivesNotification() async throws {
            let channel = uniqueTableName("hq_channel")
            let listener = try await PostgresListener.connect(
                try await TestDatabase.configuration(), channels: [channel], logger: TestDatabase.logger)
            let watchdog = closeAfter(20, listener)
            var notifications = listener.notifications.makeAsyncIterator()
            try await notify(channel, "first ü")
            try await notify(channel, "")
            let first = try await notifications.next()
            let second = try await notifications.next()
            #expect(first?.channel == channel)
            #expect(first?.payload == "first ü")
            #expect((first?.pid ?? 0) > 0)
            #expect(second?.payload == "")

            // A channel added later is heard too; one removed is not.
            let other = channel + "_other"
            try await listener.listen(other)
            try await listener.unlisten(channel)
            try await notify(channel, "ignored")
            try await notify(other, "heard")
            #expect(try await notifications.next()?.payload == "heard")

            watchdog.cancel()
            await listener.close()
            #expect(try await notifications.next() == nil)
        }

        @Test("after its connection is killed the listener reconnects and hears new notifications")
        func reconnects() async throws {
            let channel = uniqueTableName("hq_channel")
            let applicationName = uniqueTableName("hq-listener")
            let (reconnects, reconnected) = AsyncStream.makeStream(of: Void.self)
            let listener = try await PostgresListener.connect(
                try await TestDatabase.configuration(applicationName: applicationName), channels: [channel],
                logger: TestDatabase.logger, onReconnect: { reconnected.yield() })
            let watchdog = closeAfter(30, listener)
            #expect(try await terminateBackends(applicationName: applicationName) == 1)
            var signals = reconnects.makeAsyncIterator()
            let signalled: Void? = await signals.next()
            #expect(signalled != nil)
            try await notify(channel, "after reconnect")
            var notifications = listener.notifications.makeAsyncIterator()
            #expect(try await notifications.next()?.payload == "after reconnect")
            watchdog.cancel()
            await listener.close()
        }

        @Test("without reconnecting, a lost connection finishes the sequence with the error")
        func finishesWithError() async throws {
            let applicationName = uniqueTableName("hq-listener")
            let listener = try await PostgresListener.connect(
                try await TestDatabase.configuration(applicationName: applicationName), channels: ["hq_unused"],
                reconnect: false, logger: TestDatabase.logger)
            let watchdog = closeAfter(20, listener)
            try await terminateBackends(applicationName: applicationName)
            var notifications = listener.notifications.makeAsyncIterator()
            let error = await #expect(throws: PostgresError.self) { _ = try await notifications.next() }
            #expect(error?.isConnectionLost == true)
            watchdog.cancel()
            await listener.close()
        }
    }
}
