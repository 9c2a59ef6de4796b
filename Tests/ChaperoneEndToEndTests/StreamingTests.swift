import ChaperoneTestSupport
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2))) struct StreamingTests {
    @Test func serverSentEventsArriveOneByOne() throws {
        let setup = try Setup()
        let response = try setup.get("/api/sse?events=4&interval_ms=400")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/event-stream")
        #expect(response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.count == 4)
        // Had the body been buffered, it would arrive in one piece after 1.2 s. Arriving
        // event by event, the pieces span at least two of the upstream's 0.4 s gaps.
        let times = response.chunkTimes
        #expect(times.count >= 3, "the body arrived in \(times.count) pieces")
        #expect((times.last ?? 0) - (times.first ?? 0) > 0.8)
    }

    @Test func largeDownloadArrivesIntactWhileTheClientReadsSlowly() throws {
        let setup = try Setup()
        let size = 48 << 20
        let baseline = MemorySampler.residentKiB(setup.chaperone.process.pid)
        let sampler = MemorySampler(pid: setup.chaperone.process.pid)
        // The client pauses after every piece, so the upstream outruns it: back-pressure
        // must hold the difference in the sockets, not in Chaperone's memory.
        let response = try HTTPClient.request(setup.chaperone.url("/api/big?bytes=\(size)"),
                                              timeout: 60, readDelay: 0.0005)
        #expect(response.status == 200)
        #expect(response.body.count == size)
        #expect(response.body.elementsEqual(pattern(size)))
        let peak = sampler.stop()
        #expect(peak - baseline < 24 << 10, "resident memory grew by \(peak - baseline) KiB")
    }

    @Test func clientHangingUpWhileHeldFreesEverything() throws {
        let setup = try Setup()
        let pid = setup.chaperone.process.pid
        _ = try setup.get("/api/warm")
        let before = openDescriptors(pid)
        for _ in 0..<5 {
            let connection = try RawConnection(port: setup.chaperone.port)
            try connection.send("GET /api/slow?ms=3000 HTTP/1.1\r\nHost: x\r\n\r\n")
            usleep(200_000)
            connection.hangUp()
        }
        // The held requests end as soon as their clients leave, well before the upstream
        // would have answered, and leave no descriptor behind.
        try setup.chaperone.process.waitForOutput(timeout: 2.5) { log in
            log.components(separatedBy: "\"status\":499").count - 1 >= 5
        }
        usleep(200_000)
        #expect(openDescriptors(pid) <= before + 5)
        let lines = setup.chaperone.requestLines.filter { $0["status"] as? Int == 499 }
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { ($0["reason"] as? String)?.contains("closed") == true })
    }

    @Test func clientHangingUpMidStreamStopsTheTransfer() throws {
        let setup = try Setup()
        let connection = try RawConnection(port: setup.chaperone.port)
        try connection.send("GET /api/sse?events=50&interval_ms=100 HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = connection.receive(timeout: 5) { $0.contains("event 1") }
        #expect(first.contains("HTTP/1.1 200"))
        connection.hangUp()
        try setup.chaperone.process.waitForOutput(timeout: 5) { $0.contains("\"path\":\"/api/sse") }
        #expect(setup.chaperone.process.process.isRunning)
        #expect(try setup.get("/api/after").status == 200)
    }
}
