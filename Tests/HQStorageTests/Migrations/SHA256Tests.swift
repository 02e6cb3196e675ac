import HQCore
import Testing

@Suite("SHA-256 (the one implementation every module uses)")
struct SHA256Tests {
    @Test("known digests, including padding across a block boundary")
    func knownDigests() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("streaming in odd pieces equals hashing at once", arguments: [1, 7, 63, 64, 65, 200])
    func streaming(piece: Int) {
        let text = String(repeating: "héllo wörld ", count: 100)
        let bytes = Array(text.utf8)
        var hasher = SHA256()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + piece, bytes.count)
            hasher.update(Array(bytes[offset..<end]))
            offset = end
        }
        #expect(hasher.finalizeHex() == SHA256.hex(text))
    }
}
