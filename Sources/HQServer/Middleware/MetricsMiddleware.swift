import Hummingbird

/// Counts requests per route template, method and status, and their duration.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = HQRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        metrics.add("hq_http_requests_in_flight", 1)
        defer { metrics.add("hq_http_requests_in_flight", -1) }
        let status: Int
        do {
            let response = try await next(request, context)
            status = response.status.code
            record(request, context: context, status: status, started: started)
            return response
        } catch let error as any HTTPResponseError {
            record(request, context: context, status: error.status.code, started: started)
            throw error
        } catch {
            record(request, context: context, status: 500, started: started)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, started: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "unmatched"
        let labels = "method=\"\(request.method.rawValue)\",route=\"\(route)\",status=\"\(status)\""
        metrics.add("hq_http_requests_total", 1, labels: labels)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        metrics.observe("hq_http_request_duration_seconds", seconds, labels: "route=\"\(route)\"")
    }
}
