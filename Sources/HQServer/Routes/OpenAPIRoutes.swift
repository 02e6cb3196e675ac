public import Foundation
public import Hummingbird

/// `GET /openapi.json`: the OpenAPI document of every route, served as is.
///
/// The document is the `openapi.json` resource of this module (`docs/openapi.json` links to the same file), read
/// once per process. A document that cannot be read stops the server before it listens (``validate()``), never a
/// request.
public struct OpenAPIRoutes: RouteGroup {
    let document: Result<ByteBuffer, ServerConfigurationError>

    /// Serves the bundled document.
    public init() {
        document = Self.bundled
    }

    /// Serves the document at `url`, read now.
    public init(contentsOf url: URL) {
        document = Self.read(url, hint: "check the path")
    }

    /// Fails when the document could not be read.
    /// - Throws: ``ServerConfigurationError`` naming the file.
    public func validate() throws(ServerConfigurationError) {
        _ = try document.get()
    }

    /// Registers `/openapi.json`.
    public func addRoutes(to router: Router<HQRequestContext>, server: ServerContext) {
        let document = document
        router.get("/openapi.json") { _, _ -> Response in
            // Unreachable through ServerApplication, which validates first; answers 500 rather than trapping.
            guard case .success(let body) = document else {
                throw APIError.internal("the OpenAPI document is unavailable")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
    }

    /// The bundled document, read on first use.
    static let bundled: Result<ByteBuffer, ServerConfigurationError> = {
        let hint = "keep the HQSearch_HQServer.resources directory that swift build writes next to the hq executable"
        #if os(Linux)
            // `Bundle.module` stops the process when this directory is missing (an executable copied without it).
            let directory = Bundle.main.bundleURL.appendingPathComponent("HQSearch_HQServer.resources")
            guard FileManager.default.fileExists(atPath: directory.path) else {
                return .failure(
                    missing(directory.appendingPathComponent("openapi.json").path, reason: "no such file", hint))
            }
        #endif
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            return .failure(
                missing(
                    Bundle.module.bundleURL.appendingPathComponent("openapi.json").path, reason: "no such file", hint))
        }
        return read(url, hint: hint)
    }()

    static func read(_ url: URL, hint: String) -> Result<ByteBuffer, ServerConfigurationError> {
        do {
            return .success(ByteBuffer(bytes: try Data(contentsOf: url)))
        } catch {
            let reason = (error as? CocoaError)?.code == .fileReadNoSuchFile ? "no such file" : "unreadable"
            return .failure(missing(url.path, reason: reason, hint))
        }
    }

    private static func missing(_ path: String, reason: String, _ hint: String) -> ServerConfigurationError {
        ServerConfigurationError(message: "cannot read the OpenAPI document \(path): \(reason)", hint: hint)
    }
}
