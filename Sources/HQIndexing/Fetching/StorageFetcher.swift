public import Foundation
public import HQNet

/// Fetches storage object paths (`<asset_id>/<file name>`, as HQ writes `assets.file_url` for uploads) from a
/// Supabase Storage bucket through its REST API: `GET {url}/storage/v1/object/authenticated/{bucket}/{path}` with
/// the service-role key as `Authorization: Bearer` and `apikey`.
///
/// The key is never logged, never put in errors or stored rows. Object paths are hostile input: a path with `..`,
/// `.` or empty segments, a leading `/`, backslashes or control characters is refused, and every segment is
/// percent-encoded, so a row cannot address another bucket or route.
public struct StorageFetcher: SourceFileFetcher {
    /// Where the storage service is and how to authenticate.
    public struct Configuration: Sendable {
        /// The project URL (`https://PROJECT.supabase.co`), or the storage API's own URL ending in `/storage/v1`.
        public var url: String
        /// The service-role key.
        public var key: String
        /// The bucket (HQ's is `assets`).
        public var bucket: String = "assets"

        /// Creates a configuration.
        public init(url: String, key: String, bucket: String = "assets") {
            self.url = url
            self.key = key
            self.bucket = bucket
        }

        /// `HQ_STORAGE_URL` + `HQ_STORAGE_KEY` (+ `HQ_STORAGE_BUCKET`); nil when the URL is unset.
        /// - Throws: ``IndexingError`` `.invalidArgument` when the URL is set without a key or is not http(s).
        public static func environment(_ environment: [String: String]) throws -> Configuration? {
            guard let url = environment["HQ_STORAGE_URL"], !url.isEmpty else { return nil }
            guard let key = environment["HQ_STORAGE_KEY"], !key.isEmpty else {
                throw IndexingError(
                    .invalidArgument, "HQ_STORAGE_URL is set but HQ_STORAGE_KEY (the service-role key) is not")
            }
            guard case .link = FileReference(url) else {
                throw IndexingError(.invalidArgument, "HQ_STORAGE_URL must be an http(s) URL")
            }
            var configuration = Configuration(url: url, key: key)
            if let bucket = environment["HQ_STORAGE_BUCKET"], !bucket.isEmpty { configuration.bucket = bucket }
            return configuration
        }
    }

    /// The HTTP client.
    public let client: HTTPClient
    /// The service and key.
    public let configuration: Configuration
    /// Total time per object.
    public var timeout: Duration

    /// Creates a fetcher.
    public init(client: HTTPClient, configuration: Configuration, timeout: Duration = .seconds(60)) {
        self.client = client
        self.configuration = configuration
        self.timeout = timeout
    }

    /// The object's bytes and strong `ETag`, or `.notModified` when Storage answers 304 to `If-None-Match:
    /// validator` (it passes the condition to its backend, S3 or file), or nil when `url` is not an object path.
    /// - Throws: ``IndexingError`` `.refused` for a path that may not be asked for, `.notFound` when the object does
    ///   not exist, `.tooLarge`, `.fileUnavailable` (unreachable, refused credentials, server errors; retried).
    public func fetch(_ url: String, maxBytes: Int, ifNoneMatch validator: String?) async throws -> ConditionalFetch? {
        guard case .object(let path) = FileReference(url) else { return nil }
        let address = try objectURL(path)
        var headers = [(name: "apikey", value: configuration.key)]
        if let validator = FetchedFile.strongETag(validator) {
            headers.append((name: "If-None-Match", value: validator))
        }
        var request = HTTPClientRequest(url: address, headers: headers)
        request.bearerToken = configuration.key
        request.maxResponseBytes = maxBytes
        request.timeout = timeout
        request.followRedirects = false
        let response: HTTPClientResponse
        do { response = try await client.execute(request) } catch {
            switch error.code {
            case .responseTooLarge: throw IndexingError(.tooLarge, "storage object \(path): exceeds \(maxBytes) bytes")
            case .cancelled: throw CancellationError()
            default: throw IndexingError(.fileUnavailable, "storage object \(path): \(error.code)")
            }
        }
        if response.status == 304, validator != nil { return .notModified }
        if response.isSuccess {
            return .fetched(
                FetchedFile(bytes: response.body, validator: FetchedFile.strongETag(response.header("ETag"))))
        }
        throw Self.failure(status: response.status, body: response.body, path: path)
    }

    /// The download URL of `path`, each segment percent-encoded.
    /// - Throws: ``IndexingError`` `.refused` for a path that is not a plain object path.
    func objectURL(_ path: String) throws -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.utf8.count <= 1024, !path.contains("\\"),
            !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        else {
            throw IndexingError(
                .refused,
                "storage object path \(FileReference.display(path)) must be <folder>/<name> without ., .. or empty segments"
            )
        }
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~!$&'()*+,;=:@")
        let encoded = segments.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        let bucket = configuration.bucket.addingPercentEncoding(withAllowedCharacters: allowed) ?? configuration.bucket
        var base = configuration.url
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/storage/v1") { base += "/storage/v1" }
        return base + "/object/authenticated/" + bucket + "/" + encoded.joined(separator: "/")
    }

    /// Maps Storage's error answers: 404, or 400 with `"statusCode":"404"` / `"error":"not_found"` in the JSON body
    /// (as older Storage versions answer a missing object) → `.notFound`; 401/403 → the key is refused; others.
    static func failure(status: Int, body: Data, path: String) -> IndexingError {
        var code: String?
        var error: String?
        if let object = try? JSONSerialization.jsonObject(with: body.prefix(4096)) as? [String: Any] {
            code = (object["statusCode"] as? String) ?? (object["statusCode"] as? Int).map(String.init)
            error = object["error"] as? String
        }
        if status == 404 || (status == 400 && (code == "404" || error?.lowercased() == "not_found")) {
            return IndexingError(.notFound, "storage object \(path): not found in the bucket")
        }
        if status == 401 || status == 403 || (status == 400 && (code == "403" || code == "401")) {
            return IndexingError(
                .fileUnavailable,
                "storage refused the credentials (\(status)): check HQ_STORAGE_KEY is the service-role key")
        }
        if status == 400 {
            return IndexingError(
                .fileUnavailable, "storage rejected the request for \(path) (400\(error.map { ": " + $0 } ?? ""))")
        }
        return IndexingError(.fileUnavailable, "storage answered \(status) for \(path)")
    }
}
