import Foundation
import HQNet
import HQTestSupport
import Logging
import Testing

/// Issue 13: which addresses a fetch of a row-supplied URL may reach, and the guarded request that enforces it on
/// every socket it opens.
@Suite("Address policy")
struct AddressPolicyTests {
    @Test(
        "every non-public form is classified by where it really reaches",
        arguments: [
            ("127.0.0.1", "loopback"), ("127.255.1.2", "loopback"), ("::1", "loopback"), ("[::1]", "loopback"),
            ("::ffff:127.0.0.1", "loopback"), ("::ffff:7f00:1", "loopback"), ("::127.0.0.1", "loopback"),
            ("64:ff9b::127.0.0.1", "loopback"), ("2002:7f00:1::", "loopback"),
            ("169.254.169.254", "link-local"), ("::ffff:169.254.169.254", "link-local"), ("fe80::1%eth0", "link-local"),
            ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("100.64.0.1", "private"), ("fd00::1", "private"), ("fc00::1", "private"), ("fec0::1", "private"),
            ("224.0.0.1", "multicast"), ("ff02::1", "multicast"), ("255.255.255.255", "multicast"),
            ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("0.1.2.3", "unspecified"),
            ("192.0.2.1", "reserved"), ("240.0.0.1", "reserved"), ("2001:db8::1", "reserved"),
            ("8.8.8.8", "public"), ("172.32.0.1", "public"), ("2606:4700::1111", "public"),
            ("::ffff:1.1.1.1", "public"),
        ])
    func classification(_ text: String, _ scope: String) throws {
        let address = try #require(IPAddress(text), "\(text) parses")
        #expect(address.scope.rawValue == scope, "\(text)")
    }

    @Test(
        "forms libc would read as other addresses are not IP literals",
        arguments: [
            "127.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433", "1.2.3.4.5", "1.2.3.256", ":::1", "1::2::3", "g::1", "",
        ])
    func ambiguousLiteralsRejected(_ text: String) {
        #expect(IPAddress(text) == nil, "\(text)")
    }

    @Test("HQ_FETCH_ALLOW_PRIVATE: unset is public only, 1 is everything, CIDR ranges open only themselves")
    func environment() throws {
        let loopback = try #require(IPAddress("127.0.0.1"))
        let mapped = try #require(IPAddress("::ffff:10.1.2.3"))
        #expect(try AddressPolicy.environment([:]).refusal(for: loopback) != nil)
        #expect(try AddressPolicy.environment(["HQ_FETCH_ALLOW_PRIVATE": "0"]).refusal(for: loopback) != nil)
        #expect(try AddressPolicy.environment(["HQ_FETCH_ALLOW_PRIVATE": "1"]).refusal(for: loopback) == nil)
        let ranges = try AddressPolicy.environment(["HQ_FETCH_ALLOW_PRIVATE": "10.0.0.0/8, fd00::/8"])
        #expect(ranges.refusal(for: mapped) == nil, "a v4 range covers the v4-mapped form")
        #expect(ranges.refusal(for: try #require(IPAddress("fd12::1"))) == nil)
        #expect(ranges.refusal(for: loopback)?.contains("loopback address 127.0.0.1") == true)
        #expect(throws: HTTPClientError.self) { try AddressPolicy.environment(["HQ_FETCH_ALLOW_PRIVATE": "intranet"]) }
    }

    @Test("a guarded request refuses a loopback server at the socket, and reaches it only when its range is allowed")
    func guardedRequest() async throws {
        let server = try FaultServer { _, _ in .respond(status: 200, headers: [], body: Array("inside".utf8)) }
        defer { server.stop() }
        let client = HTTPClient(logger: Logger(label: "test"))
        var request = HTTPClientRequest(url: server.baseURL + "/")
        request.addressPolicy = .publicOnly
        await #expect {
            _ = try await client.execute(request)
        } throws: { error in
            (error as? HTTPClientError)?.code == .addressRefused
        }
        #expect(server.requestCount == 0, "no byte reached the refused address")

        request.addressPolicy = AddressPolicy(allowedRanges: [try #require(AddressPolicy.Range("127.0.0.1/32"))])
        let response = try await client.execute(request)
        #expect(String(decoding: response.body, as: UTF8.self) == "inside")
    }

    @Test("a pinned request connects to the checked address whatever the name would resolve to, Host unchanged")
    func pinnedAddress() async throws {
        let server = try FaultServer { _, _ in .respond(status: 200, headers: [], body: Array("pinned".utf8)) }
        defer { server.stop() }
        let client = HTTPClient(logger: Logger(label: "test"))
        var request = HTTPClientRequest(url: "http://files.invalid:\(server.port)/doc")
        request.pinnedAddress = IPAddress("127.0.0.1")
        request.addressPolicy = AddressPolicy(allowedRanges: [try #require(AddressPolicy.Range("127.0.0.0/8"))])
        let response = try await client.execute(request)
        #expect(String(decoding: response.body, as: UTF8.self) == "pinned")
        #expect(server.received.first?.headers["host"] == "files.invalid:\(server.port)")
    }
}
