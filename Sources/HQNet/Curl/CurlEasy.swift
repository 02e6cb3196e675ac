import CCurl

/// Owns one libcurl easy handle; `deinit` releases it.
///
/// `@unchecked Sendable`: only ``CurlLoop``'s thread ever touches the handle (it is created, configured,
/// run and cleaned up there); the type crosses isolation only to be stored in the loop's idle list.
final class CurlEasy: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    init?() {
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    func set(_ option: CURLoption, _ value: Int) {
        _ = hq_curl_setopt_long(handle, option, value)
    }

    func set(_ option: CURLoption, _ value: String) {
        // libcurl copies string options (all but POSTFIELDS, which is never passed here).
        _ = value.withCString { hq_curl_setopt_string(handle, option, $0) }
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) {
        _ = hq_curl_setopt_pointer(handle, option, pointer)
    }

    func info(_ info: CURLINFO) -> Int {
        var value = 0
        _ = hq_curl_getinfo_long(handle, info, &value)
        return value
    }
}
