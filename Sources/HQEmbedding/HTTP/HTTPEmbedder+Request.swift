import Foundation
import HQNet

extension HTTPEmbedder {
    /// One request with retries: 429/5xx/timeouts/broken connections are retried up to `maxAttempts` tries.
    func embedBatch(_ texts: [String]) async throws -> [[Float]] {
        let provider = configuration.provider
        var request = HTTPClientRequest(url: endpoint, method: .post)
        do {
            request.setJSONBody(try provider.requestBody(texts, model: configuration.model))
        } catch {
            throw EmbeddingError(.invalidInput, "a text could not be encoded as JSON")
        }
        request.bearerToken = configuration.apiKey
        request.headers.append((name: "Accept", value: "application/json"))
        let host = hostName

        var attempt = 1
        while true {
            let retryAfter: Duration?
            let reason: String
            do {
                let response = try await client.execute(request)
                if response.isSuccess {
                    do {
                        return try provider.vectors(
                            from: response.body, expectedCount: texts.count, dimensions: configuration.dimensions)
                    } catch {
                        throw EmbeddingError(
                            .serviceUnavailable, "invalid response from \(provider) at \(host): \(error.message)",
                            hint:
                                "check HQ_EMBED_PROVIDER and HQ_EMBED_MODEL (the vectors must have \(configuration.dimensions) dimensions)"
                        )
                    }
                }
                let message = redacted(HTTPEmbeddingProvider.providerMessage(in: response.body))
                guard response.status == 429 || (500...599).contains(response.status) else {
                    throw statusError(response.status, message: message, host: host)
                }
                guard attempt < configuration.maxAttempts else {
                    throw EmbeddingError(
                        .serviceUnavailable,
                        "\(provider) at \(host) answered HTTP \(response.status) after \(attempt) attempts: \(message)")
                }
                retryAfter = response.retryAfter
                reason = "HTTP \(response.status)"
            } catch let error as HTTPClientError {
                if error.code == .cancelled { throw CancellationError() }
                guard error.isTransient else {
                    throw EmbeddingError(.serviceUnavailable, "\(provider) at \(host): \(error)")
                }
                guard attempt < configuration.maxAttempts else {
                    throw EmbeddingError(
                        .serviceUnavailable, "\(provider) at \(host) failed after \(attempt) attempts: \(error)",
                        hint: "is the embedding service at HQ_EMBED_URL running and reachable?")
                }
                retryAfter = nil
                reason = "\(error.code)"
            }
            let delay = retryDelay(attempt: attempt, retryAfter: retryAfter)
            logger.warning(
                "embedding request retried",
                metadata: [
                    "provider": "\(provider)", "host": "\(host)", "reason": "\(reason)",
                    "attempt": "\(attempt)",
                    "delay_ms":
                        "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                ])
            try await Task.sleep(for: delay)
            attempt += 1
        }
    }

    /// Exponential backoff with jitter (between half and all of `base · 2^(attempt-1)`, capped), or at least
    /// what `Retry-After` asks for (capped at `maxRetryDelay`).
    func retryDelay(attempt: Int, retryAfter: Duration?) -> Duration {
        let base = configuration.retryBaseDelay * (1 << min(attempt - 1, 20))
        let capped = min(base, configuration.maxRetryDelay)
        let jittered = capped * Double.random(in: 0.5...1.0)
        guard let retryAfter else { return jittered }
        return min(max(retryAfter, jittered), configuration.maxRetryDelay)
    }

    private func statusError(_ status: Int, message: String, host: String) -> EmbeddingError {
        let context = "\(configuration.provider) at \(host) answered HTTP \(status): \(message)"
        switch status {
        case 401, 403:
            return EmbeddingError(.invalidConfiguration, context, hint: "check HQ_EMBED_API_KEY")
        case 404:
            return EmbeddingError(
                .invalidConfiguration, context, hint: "check HQ_EMBED_URL, HQ_EMBED_PROVIDER and HQ_EMBED_MODEL")
        case 400, 413, 422:
            return EmbeddingError(.invalidInput, context)
        default:
            return EmbeddingError(.serviceUnavailable, context)
        }
    }

    /// Removes the API key from text a provider sent back (some echo the key they rejected).
    private func redacted(_ text: String) -> String {
        guard let key = configuration.apiKey, key.count >= 4 else { return text }
        return text.replacingOccurrences(of: key, with: "[redacted]")
    }

    private var hostName: String {
        URLComponents(string: endpoint).map { c in c.host.map { h in c.port.map { "\(h):\($0)" } ?? h } ?? "?" } ?? "?"
    }
}
