import Foundation

/// A Python test server (`--state-dir DIR` and `--parent-pid`, then `DIR/ready.json` once it listens) run as a child
/// process with its output in `DIR/<logName>`: how the kube test server and the fault proxy are launched and stopped.
struct PythonServerProcess {
    let process: Process
    let stateDir: String
    /// The contents of ready.json.
    let ready: Data

    /// Starts `script` with `arguments` (after the state and parent flags) and waits up to `startTimeout` for
    /// ready.json to hold `Ready`; on failure the process is killed, the state directory removed and the log quoted.
    static func launch<Ready: Decodable>(script: String, label: String, arguments: [String], logName: String,
                                         startTimeout: TimeInterval, ready _: Ready.Type) throws -> (PythonServerProcess, Ready) {
        let stateDir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let python = try executable(named: ProcessInfo.processInfo.environment["KUBE_TEST_PYTHON"] ?? "python3")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--state-dir", stateDir, "--parent-pid", String(ProcessInfo.processInfo.processIdentifier)] + arguments
        let logPath = stateDir + "/" + logName
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        defer { try? log.close() }
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(atPath: stateDir)
            throw KubeTestServerError("could not run \(python) \(script): \(error)")
        }

        let readyPath = stateDir + "/ready.json"
        let deadline = Date().addingTimeInterval(startTimeout)
        while true {
            if let data = FileManager.default.contents(atPath: readyPath), let ready = try? JSONDecoder().decode(Ready.self, from: data) {
                return (PythonServerProcess(process: process, stateDir: stateDir, ready: data), ready)
            }
            if !process.isRunning || Date() > deadline {
                let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                let reason = process.isRunning
                    ? "did not write \(readyPath) within \(Int(startTimeout)) s"
                    : "exited with status \(process.terminationStatus) before it was ready"
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                try? FileManager.default.removeItem(atPath: stateDir)
                throw KubeTestServerError("the \(label) \(reason); its output:\n\(output)")
            }
            usleep(10_000)
        }
    }

    /// SIGTERM, then SIGKILL after 3 s; removes the state directory.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: stateDir)
    }

    /// `name` as given when it is a path, else its first match on PATH.
    static func executable(named name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw KubeTestServerError("\(name) is not on PATH; the tests need it (run `make deps`)")
    }
}
