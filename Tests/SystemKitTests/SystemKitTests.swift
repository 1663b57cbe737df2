import Foundation
import SystemKit
import Testing

@Suite struct SubprocessTests {
    @Test func capturesOutputAndExitCode() throws {
        let result = try Subprocess.run(executable: "/bin/sh", arguments: ["-c", "printf out; printf err >&2; exit 3"],
                                        errorOutput: .capture)
        #expect(result.status == 3)
        #expect(String(decoding: result.output, as: UTF8.self) == "out")
        #expect(String(decoding: result.errorOutput, as: UTF8.self) == "err")
    }

    @Test func feedsStandardInputAndDrainsLargeOutputs() throws {
        // 1 MiB through stdin and back on both streams: a deadlock would hang here if the pipes were not drained together.
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        let result = try Subprocess.run(executable: "/bin/sh", arguments: ["-c", "tee /dev/stderr"], input: .bytes(input),
                                        errorOutput: .capture)
        #expect(result.status == 0)
        #expect(result.output == input)
        #expect(result.errorOutput == input)
    }

    @Test func environmentWorkingDirectoryAndNullInput() throws {
        let result = try Subprocess.run(executable: "/bin/sh", arguments: ["-c", "echo \"$ONLY\"; pwd; cat; echo end"],
                                        environment: ["ONLY": "this"], workingDirectory: "/tmp", errorOutput: .discard)
        #expect(String(decoding: result.output, as: UTF8.self) == "this\n/tmp\nend\n")
    }

    @Test func signalledChildReportsShellStyleStatus() throws {
        let result = try Subprocess.run(executable: "/bin/sh", arguments: ["-c", "kill -TERM $$"])
        #expect(result.status == 128 + 15)
    }

    @Test func programStillOpenForWritingIsStartedOnceTheWriterCloses() throws {
        // The race behind "text file busy": a script is written and a concurrently forked child still holds the
        // writer's descriptor. The launch waits for it instead of failing.
        let path = NSTemporaryDirectory() + "busy-\(UUID().uuidString).sh"
        defer { unlink(path) }
        let writer = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o755)
        #expect(writer >= 0)
        let script = Array("#!/bin/sh\necho started\n".utf8)
        #expect(write(writer, script, script.count) == script.count)
        startThread {
            usleep(40_000)
            close(writer)
        }
        let result = try Subprocess.run(executable: path, arguments: [])
        #expect(result.status == 0)
        #expect(String(decoding: result.output, as: UTF8.self) == "started\n")
    }

    @Test func missingExecutableIsALaunchErrorNamingIt() {
        #expect {
            _ = try Subprocess.run(executable: "/nonexistent/tool", arguments: [])
        } throws: { error in
            "\(error)".contains("/nonexistent/tool") && "\(error)".contains("No such file")
        }
    }
}

@Suite struct LockTests {
    @Test func conditionTimesOutAndWakes() {
        let condition = Condition()
        condition.lock()
        let start = ContinuousClock.now
        #expect(condition.wait(timeout: 0.05) == false)
        #expect(ContinuousClock.now - start >= .milliseconds(45))
        condition.unlock()

        let flag = Locked(false)
        startThread {
            condition.withLock {
                flag.withLock { $0 = true }
                condition.broadcast()
            }
        }
        condition.lock()
        while !flag.withLock({ $0 }) { #expect(condition.wait(timeout: 5)) }
        condition.unlock()
    }

    @Test func lockSerialisesThreads() {
        let counter = Locked(0)
        let done = Condition()
        let finished = Locked(0)
        for _ in 0..<4 {
            startThread(stackSize: 256 << 10) {
                for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
                done.withLock {
                    finished.withLock { $0 += 1 }
                    done.broadcast()
                }
            }
        }
        done.lock()
        while finished.withLock({ $0 }) < 4 { done.wait(timeout: 5) }
        done.unlock()
        #expect(counter.withLock { $0 } == 40_000)
    }
}

@Suite struct StringHelperTests {
    @Test func trimming() {
        #expect(" \t a b \t".trimmingSpaces() == "a b")
        #expect("\n a\u{00A0}\r\n".trimmingWhitespace() == "a")
        #expect("  ".trimmingSpaces() == "")
        #expect(" x\n".trimmingSpaces() == "x\n")
    }

    @Test func caseInsensitiveComparisons() {
        #expect("Content-Type".equalsIgnoringCase("content-type"))
        #expect(!"Content-Type".equalsIgnoringCase("content-typ"))
        #expect("Bearer abc".hasPrefixIgnoringCase("bearer "))
    }

    @Test func percentEncodingRoundTrips() {
        let text = "a b/ü?&=~"
        let encoded = text.percentEncoded(allowing: PercentEncoding.isUnreserved)
        #expect(encoded == "a%20b%2F%C3%BC%3F%26%3D~")
        #expect(encoded.percentDecoded() == text)
        #expect("a/b:c@d".percentEncoded(allowing: PercentEncoding.isPathAllowed) == "a/b:c@d")
        #expect("%zz".percentDecoded() == nil)
        #expect("%".percentDecoded() == nil)
    }

    @Test func pathComponentsLikeNSString() {
        // (path, last component, path without it): NSString's answers.
        let cases = [("/a/b", "b", "/a"), ("/a/b/", "b", "/a"), ("a", "a", ""), ("/", "/", "/"), ("a/b/c", "c", "a/b"),
                     ("", "", ""), ("/a", "a", "/")]
        for (path, last, parent) in cases {
            #expect(path.pathLastComponent == last, "\(path)")
            #expect(path.pathDeletingLastComponent == parent, "\(path)")
        }
        #expect("/tmp".pathAppending("x") == "/tmp/x")
        #expect("/tmp/".pathAppending("x") == "/tmp/x")
    }

    @Test func cFormatMatchesPrintf() {
        #expect(String(cFormat: "%.1f|%05d|%04o|%02x|%04X", 0.25, 42, 493, 255, 0xBEEF) == "0.2|00042|0755|ff|BEEF")
        let long = String(cFormat: "%0300d", 7)
        #expect(long.count == 300 && long.hasSuffix("07"))
    }
}
