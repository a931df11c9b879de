import Foundation
import TuneRuntime

/// Every subcommand, in the order `onnx-tune --help` lists them.
nonisolated(unsafe) let commands: [any CLICommand.Type] = [
  InspectCommand.self,
  ConvertCommand.self,
  FinetuneCommand.self,
  EvaluateCommand.self,
  BenchmarkCommand.self,
  RunCommand.self,
  PlanCommand.self,
]

func mainHelp() -> String {
  var s = """
    onnx-tune: fine-tune pretrained ONNX classifiers on a CPU and export them back to ONNX.

    Usage: onnx-tune COMMAND [ARGUMENTS] [OPTIONS]

    Commands:

    """
  for c in commands {
    s += "  " + padded(c.name, 12) + c.summary + "\n"
  }
  s += "\nRun 'onnx-tune COMMAND --help' for a command's options.\n"
  return s
}

let argv = Array(CommandLine.arguments.dropFirst())
guard let first = argv.first, first != "--help", first != "-h", first != "help" else {
  print(mainHelp(), terminator: "")
  exit(argv.isEmpty ? 2 : 0)
}
guard let command = commands.first(where: { $0.name == first }) else {
  printError("onnx-tune: unknown command '\(first)' (run 'onnx-tune --help' for the list)")
  exit(2)
}
AllocatorTuning.keepFreedMemory()
// One pool of workers for every kernel, one per core unless a command's --threads says otherwise.
ComputeThreads.set(ProcessInfo.processInfo.activeProcessorCount)
var arguments = Arguments(Array(argv.dropFirst()), command: command.name)
if arguments.wantsHelp() {
  print(command.help)
  exit(0)
}
do {
  exit(try command.run(&arguments))
} catch let e as CLIError {
  printError("onnx-tune \(e.message)")
  exit(e.usage ? 2 : 1)
} catch {
  printError("onnx-tune \(command.name): \(error)")
  exit(1)
}
