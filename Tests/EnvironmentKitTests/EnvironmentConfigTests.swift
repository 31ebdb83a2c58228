import Foundation
import JSONLines
import Testing
@testable import EnvironmentKit

struct EnvironmentConfigTests {
    @Test func envArgsOverrideTaskFileFields() throws {
        let path = try temporaryFile(#"{"target": "hello", "length": 5, "mask": false, "command": ["python3", "x.py"]}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try EnvironmentConfig(options: EnvironmentOptions(taskPath: path, args: ["target": "world", "rate": "0.5"]))
        #expect(try config.string("target", default: "") == "world")
        #expect(try config.int("length", default: 0) == 5)
        #expect(try config.bool("mask", default: true) == false)
        #expect(try config.double("rate", default: 0) == 0.5)
        #expect(try config.optionalStringArray("command") == ["python3", "x.py"])
        #expect(try config.string("absent", default: "fallback") == "fallback")
        #expect(config.taskKey == #"{"command":["python3","x.py"],"length":5,"mask":false,"rate":"0.5","target":"world"}"#)
    }

    @Test func wrongTypesNameTheFileFieldOrFlag() throws {
        let path = try temporaryFile(#"{"length": "five"}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try EnvironmentConfig(options: EnvironmentOptions(taskPath: path))
        #expect(throws: EnvironmentOptionError.self) { try fromFile.int("length", default: 0) }
        do { _ = try fromFile.int("length", default: 0) } catch {
            #expect("\(error)" == "\(path): field 'length': expected an integer, found string")
        }
        let fromArg = try EnvironmentConfig(options: EnvironmentOptions(args: ["length": "five"]))
        do { _ = try fromArg.int("length", default: 0); Issue.record("must throw") } catch {
            #expect("\(error)" == "--env-arg length=five: expected an integer")
        }
    }

    @Test func unknownKeysAreRejectedWithTheKnownOnes() throws {
        let config = try EnvironmentConfig(options: EnvironmentOptions(args: ["targt": "x"]))
        do { try config.rejectUnknown(allowed: ["target"], environment: "toy/t-v0"); Issue.record("must throw") } catch {
            #expect("\(error)" == "toy/t-v0: unknown option(s) --env-arg targt; known: target")
        }
    }

    @Test func taskFileMustBeAJSONObject() throws {
        let path = try temporaryFile("[1, 2]")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: EnvironmentOptionError.self) { try EnvironmentConfig(options: EnvironmentOptions(taskPath: path)) }
        #expect(throws: JSONLError.self) { try EnvironmentConfig(options: EnvironmentOptions(taskPath: path + ".missing")) }
    }

    @Test func envArgPairsParse() throws {
        #expect(try EnvironmentOptions.parseArgs(["a=1", "b=x=y", "a=2"]) == ["a": "2", "b": "x=y"])
        #expect(throws: EnvironmentOptionError.self) { try EnvironmentOptions.parseArgs(["novalue"]) }
        #expect(throws: EnvironmentOptionError.self) { try EnvironmentOptions.parseArgs(["=v"]) }
    }

    @Test func stringArraysFromArgsAcceptJSONOrWords() throws {
        let json = try EnvironmentConfig(options: EnvironmentOptions(args: ["command": #"["python3", "my env.py"]"#]))
        #expect(try json.optionalStringArray("command") == ["python3", "my env.py"])
        let words = try EnvironmentConfig(options: EnvironmentOptions(args: ["command": "python3  env.py -q"]))
        #expect(try words.optionalStringArray("command") == ["python3", "env.py", "-q"])
    }
}
