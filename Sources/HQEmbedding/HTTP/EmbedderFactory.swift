public import Foundation
public import HQNet
public import Logging

/// The one place that decides which ``Embedder`` a process uses: the HTTP service when one is configured,
/// else the native model. The indexer, the query service and the CLI all call ``make(remote:modelDirectory:native:client:logger:)``.
///
/// ```swift
/// let embedder = try EmbedderFactory.make(remote: remoteConfigOrNil, modelDirectory: modelDir, logger: logger)
/// ```
public enum EmbedderFactory {
    /// Returns the embedder for a configuration.
    /// - Parameters:
    ///   - remote: the embedding service to call; nil selects the native model.
    ///   - modelDirectory: the native model's folder (ignored when `remote` is set).
    ///   - native: the native embedder's tuning (ignored when `remote` is set).
    ///   - client: an HTTP client to share (default: one per embedder).
    ///   - logger: passed to the embedder.
    /// - Throws: `EmbeddingError` for an invalid configuration or a model that cannot load.
    public static func make(
        remote: HTTPEmbedderConfiguration?,
        modelDirectory: URL,
        native: NativeEmbedder.Configuration = .init(),
        client: HTTPClient? = nil,
        logger: Logger
    ) throws(EmbeddingError) -> any Embedder {
        if let remote {
            logger.info("embedder: http", metadata: ["service": "\(remote)"])
            return try HTTPEmbedder(configuration: remote, client: client, logger: logger)
        }
        return try NativeEmbedder(modelDirectory: modelDirectory, configuration: native, logger: logger)
    }
}
