import Foundation
import TuneData
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor
import TuneTrain

/// `onnx-tune finetune MODEL --data DIR --out TUNED.onnx`: the whole transfer-learning recipe.
enum FinetuneCommand: CLICommand {
  static let name = "finetune"
  static let summary = "Swap the head, freeze the backbone, train on your data, export ONNX"
  static let help = """
    Usage: onnx-tune finetune MODEL --data PATH --out TUNED.onnx [options]

    Detects MODEL's classifier head, replaces it for the classes found in the data, freezes the
    backbone, trains with AdamW and early stopping on a validation split, and writes a
    deployment ONNX file (Dropout removed, BatchNormalization folded, class names and
    preprocessing in metadata_props). The written file is read back and run on the validation
    set; it must agree with the trained model within 1e-4 or the command fails.

    Data:
      --data PATH             image folder (one subfolder per class), .npz, .npy (+ --labels) or CSV
      --labels FILE           labels .npy for a features .npy
      --val-data PATH         a separate validation set (default: a split of --data)
      --val-split F           validation fraction when splitting (default 0.2; 0 for none)
      --size HxW              image size (default: the model's input size)
      --normalize PRESET      imagenet, [-1,1], [0,1] (default: the model's metadata, else [0,1])
      --layout nchw|nhwc      image layout (default: read from the model's input shape)
      --augment               random flip, resized crop, rotation and brightness/contrast jitter
    Model surgery:
      --head SPEC             new head, e.g. dense:256:relu,dropout:0.3,dense:CLASSES (default dense:CLASSES)
      --classes N             number of classes (default: found in the data)
      --freeze POLICY         head (default), none, pattern:GLOB[;GLOB], upto:NODE_OR_TENSOR, last:K
      --cut-at TENSOR         use TENSOR as the feature tensor (drop everything after it)
      --pop N                 drop the last N layers of the head
      --from-scratch          re-initialize every weight (He uniform; BatchNorm to identity) and
                              train everything: the baseline a fine-tune should beat
    Training:
      --epochs N              (default 10)
      --batch-size N          (default 32)
      --optimizer NAME        adamw (default), adam, sgd
      --lr RATE               learning rate (default 1e-3)
      --momentum M            SGD momentum (default 0.9)
      --weight-decay W        (default 0.01 for adamw, 0 otherwise)
      --schedule NAME         constant (default), cosine, step:EPOCHS:GAMMA
      --warmup STEPS          linear warm-up steps for cosine (default 0)
      --clip-norm N           clip gradients to this global norm
      --patience N            early-stopping patience in epochs (default 3; 0 turns it off)
      --label-smoothing E     (default 0)
      --seed S                (default 0)
      --threads N             compute threads, OpenBLAS included
      --checkpoint-dir DIR    write best.ckpt and last.ckpt there after each epoch
      --resume                continue from DIR/last.ckpt
      --cache-features MODE   auto (default), memory, disk or off: when nothing before the feature
                              tensor changes between epochs (no augmentation, frozen backbone,
                              BatchNorm there in inference mode), run the backbone once and train
                              the head on cached features (memory-mapped on disk past the budget)
      --cache-budget SIZE     memory for cached features under auto, e.g. 512MiB (default 2GiB)
    Two-phase fine-tuning (after the head has trained):
      --unfreeze-last K       then also train the last K weight layers (the head's included)
      --fine-tune-epochs E    for E more epochs (default 5)
      --fine-tune-lr LR       at this learning rate (default: a tenth of --lr)
    Output:
      --out FILE              the tuned model (required)
      --softmax               end the exported model with a Softmax
      --opset N               upgrade the exported model's opset to N (from 11 or later, up to 21)
      --fp16                  store weights as float16 (half the size), cast to float32 on load
      --trainable             keep BatchNormalization and Dropout (a file to fine-tune further)
      -h, --help              show this help

    --config FILE reads the same settings from a JSON object whose keys are the option names
    without dashes (batch_size or batch-size; true for flags; "model" for MODEL); options on the
    command line win. The effective settings are saved beside the output as FILE.config.json,
    which --config accepts. Beside the output it also writes FILE.history.csv and .history.json.

    A model exported with --trainable records its trainable weights; fine-tuning it again
    without --head or --freeze keeps its head and trains the same weights.
    """

  struct Settings {
    var model = ""
    var data = ""
    var labels: String?
    var valData: String?
    var valSplit = 0.2
    var size: (Int, Int)?
    var normalize: String?
    var augment = false
    var head: String?
    var classes: Int?
    var freeze = "head"
    var cutAt: String?
    var pop: Int?
    var epochs = 10
    var batchSize = 32
    var optimizer = "adamw"
    var lr = 1e-3
    var momentum = 0.9
    var weightDecay: Double?
    var schedule = "constant"
    var warmup = 0
    var clipNorm: Double?
    var patience = 3
    var labelSmoothing = 0.0
    var seed: UInt64 = 0
    var threads: Int?
    var checkpointDir: String?
    var resume = false
    var out = ""
    var softmax = false
    var trainable = false
    var fromScratch = false
    var unfreezeLast: Int?
    var fineTuneEpochs = 5
    var fineTuneLR: Double?
    var freezeGiven = false
    var layout: ImagePreprocessing.Layout?
    var fp16 = false
    var opset: Int?
    var cacheFeatures = FeatureCacheRun.Mode.auto
    var cacheBudget: String?
  }

  /// Turns a `--config` JSON object into command-line arguments.
  static func configArguments(_ path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CLIError(message: "finetune: cannot read config file \(path)")
    }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw CLIError(message: "finetune: \(path): expected one JSON object of settings")
    }
    var out: [String] = []
    var model: String?
    for key in object.keys.sorted() {
      let value = object[key]!
      let flag = "--" + key.replacingOccurrences(of: "_", with: "-")
      if key == "model" {
        model = value as? String
        continue
      }
      if key == "class_names" { continue }  // recorded for reference only
      switch value {
      case let b as Bool where type(of: value) == type(of: true as Any) || "\(type(of: value))".contains("Bool"):
        if b { out.append(flag) }
      case let n as NSNumber: out += [flag, n.stringValue]
      case let s as String: out += [flag, s]
      case is NSNull: continue
      default: throw CLIError(message: "finetune: \(path): setting '\(key)' should be a string, number or boolean")
      }
    }
    if let model { out.append(model) }
    return out
  }

  static func parse(_ a: inout Arguments) throws -> Settings {
    if let config = try a.option("--config") {
      a.prepend(try configArguments(config))
    }
    var s = Settings()
    s.labels = try a.option("--labels")
    s.valData = try a.option("--val-data")
    if let v = try a.doubleOption("--val-split") {
      guard v >= 0 && v < 1 else { throw CLIError(message: "finetune: --val-split must be in [0, 1), got \(v)", usage: true) }
      s.valSplit = v
    }
    if let size = try a.option("--size") {
      let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
      guard parts.count == 2 || parts.count == 1, parts.allSatisfy({ $0 > 0 }) else {
        throw CLIError(message: "finetune: --size expects HxW (e.g. 224x224), got '\(size)'", usage: true)
      }
      s.size = (parts[0], parts.count == 2 ? parts[1] : parts[0])
    }
    s.normalize = try a.option("--normalize")
    if let l = try a.option("--layout") {
      guard let layout = ImagePreprocessing.Layout(rawValue: l.lowercased()) else {
        throw CLIError(message: "finetune: --layout must be nchw or nhwc, got '\(l)'", usage: true)
      }
      s.layout = layout
    }
    s.fp16 = a.flag("--fp16")
    s.opset = try a.intOption("--opset", in: 1...100)
    s.augment = a.flag("--augment")
    s.head = try a.option("--head")
    s.classes = try a.intOption("--classes", in: 2...1_000_000)
    let freeze = try a.option("--freeze")
    s.freezeGiven = freeze != nil
    s.freeze = freeze ?? "head"
    s.cutAt = try a.option("--cut-at")
    s.pop = try a.intOption("--pop", in: 1...1000)
    s.epochs = try a.intOption("--epochs", in: 1...100_000) ?? 10
    s.batchSize = try a.intOption("--batch-size", in: 1...65536) ?? 32
    s.optimizer = (try a.option("--optimizer") ?? "adamw").lowercased()
    guard ["adamw", "adam", "sgd"].contains(s.optimizer) else {
      throw CLIError(message: "finetune: --optimizer must be adamw, adam or sgd, got '\(s.optimizer)'", usage: true)
    }
    s.lr = try a.doubleOption("--lr") ?? 1e-3
    s.momentum = try a.doubleOption("--momentum") ?? 0.9
    s.weightDecay = try a.doubleOption("--weight-decay")
    s.schedule = try a.option("--schedule") ?? "constant"
    s.warmup = try a.intOption("--warmup", in: 0...10_000_000) ?? 0
    s.clipNorm = try a.doubleOption("--clip-norm")
    s.patience = try a.intOption("--patience", in: 0...100_000) ?? 3
    s.labelSmoothing = try a.doubleOption("--label-smoothing") ?? 0
    s.seed = UInt64(try a.intOption("--seed", in: 0...Int.max) ?? 0)
    s.threads = try a.intOption("--threads", in: 1...256)
    s.checkpointDir = try a.option("--checkpoint-dir")
    s.resume = a.flag("--resume")
    if let m = try a.option("--cache-features") {
      guard let mode = FeatureCacheRun.Mode(rawValue: m.lowercased()) else {
        throw CLIError(message: "finetune: --cache-features must be auto, memory, disk or off, got '\(m)'", usage: true)
      }
      s.cacheFeatures = mode
    }
    if let b = try a.option("--cache-budget") {
      guard FeatureCacheRun.parseBytes(b) != nil else {
        throw CLIError(message: "finetune: --cache-budget expects a size such as 512MiB or 2GiB, got '\(b)'", usage: true)
      }
      s.cacheBudget = b
    }
    s.softmax = a.flag("--softmax")
    s.trainable = a.flag("--trainable")
    s.fromScratch = a.flag("--from-scratch")
    s.unfreezeLast = try a.intOption("--unfreeze-last", in: 1...10_000)
    s.fineTuneEpochs = try a.intOption("--fine-tune-epochs", in: 1...100_000) ?? 5
    s.fineTuneLR = try a.doubleOption("--fine-tune-lr")
    if s.fromScratch { s.freeze = "none" }
    guard let data = try a.option("--data") else { throw CLIError(message: "finetune: --data PATH is required", usage: true) }
    guard let out = try a.option("--out") else { throw CLIError(message: "finetune: --out FILE is required", usage: true) }
    s.data = data
    s.out = out
    let positionals = try a.positionals()
    guard let model = positionals.last, positionals.count <= 2 else {
      throw CLIError(message: "finetune: expected MODEL (see onnx-tune finetune --help)", usage: true)
    }
    s.model = model
    if s.resume && s.checkpointDir == nil {
      throw CLIError(message: "finetune: --resume needs --checkpoint-dir", usage: true)
    }
    return s
  }

  static func run(_ arguments: inout Arguments) throws -> Int32 {
    let s = try parse(&arguments)
    let started = Date()
    try checkOutputs(s)
    if let t = s.threads { ComputeThreads.set(t) }
    var model = try ONNXReader.readModel(atPath: s.model)
    if s.fromScratch { reinitialize(&model, seed: s.seed) }

    // Preprocessing: the model's input shape, its stored preprocessing, then the flags.
    let stored = model.metadata("onnx_tune.preprocessing").flatMap(StoredPreprocessing.init(json:))
    let inputInfo = model.graph?.runtimeInputs.first
    let inputShape = (inputInfo?.type?.tensorDims ?? []).map { Int($0.fixedValue ?? -1) }
    var normalization: ImagePreprocessing.Normalization = .zeroToOne
    if let n = s.normalize {
      guard let parsed = ImagePreprocessing.Normalization(name: n) else {
        throw CLIError(message: "finetune: --normalize must be imagenet, [-1,1] or [0,1], got '\(n)'", usage: true)
      }
      normalization = parsed
    } else if let stored, let mean = stored.mean, let std = stored.std {
      normalization = .custom(mean: mean, std: std)
    }
    let isImageFolder = (try? FileManager.default.attributesOfItem(atPath: s.data)[.type] as? FileAttributeType) == .typeDirectory
    var preprocessing: ImagePreprocessing?
    if isImageFolder {
      preprocessing = try ImagePreprocessing(
        inputShape: inputShape, height: s.size?.0 ?? stored?.size?.first, width: s.size?.1 ?? stored?.size?.last,
        layout: s.layout, normalization: normalization)
    }
    let augmentation: Augmentation? = s.augment ? Augmentation() : nil

    // Data and split.
    let full = try DatasetReader.open(s.data, labels: s.labels, preprocessing: preprocessing, augmentation: augmentation)
    let classNames = full.classNames
    let trainSet: any Dataset
    var valSet: (any Dataset)?
    if let v = s.valData {
      trainSet = full
      valSet = try DatasetReader.open(v, preprocessing: preprocessing, classNames: classNames)
    } else if s.valSplit > 0 {
      let split = try DatasetSplit(full, validationFraction: s.valSplit, seed: s.seed)
      let (t, v) = split.subsets(of: AnyDataset(full))
      trainSet = t
      valSet = v
    } else {
      trainSet = full
      valSet = nil
    }
    // Each unreadable file is warned of when first met, whichever path reads it (the training
    // source or the feature cache's loader).
    let report = BadDataReport(keep: 1000) { printError("warning: skipping \($0.path): \($0.reason)") }
    if valSet != nil && s.valData == nil {
      let counts = full.classCounts
      for (c, n) in counts.enumerated() where n == 1 {
        print("Note: class '\(classNames[c])' has 1 sample: it goes to training, the validation split has none of it")
      }
      if valSet?.count == 0 {
        print("Note: the validation split is empty (no class has 2 samples); training without validation")
        valSet = nil
      }
    }

    // Surgery. A model exported with --trainable keeps its head and trainable set unless the
    // command line asks for something else.
    let recorded = model.metadata("onnx_tune.trainable")?.split(separator: "\n").map(String.init)
    let continuing = recorded != nil && s.head == nil && !s.freezeGiven && !s.fromScratch && s.cutAt == nil && s.pop == nil
    let spec = try s.head.map { try HeadSpec(parsing: $0) }
    let classes = s.classes ?? classNames.count
    let plan = try SurgeryPlan(
      model: consume model,
      options: .init(
        spec: continuing ? nil : (spec ?? .standard), classes: classes, freeze: try FreezePolicy(parsing: s.freeze),
        cutAt: s.cutAt, pop: s.pop, outputActivation: s.softmax ? .some("Softmax") : nil, seed: s.seed))
    var trainableNames = plan.trainable.trainable
    if continuing, plan.spec == nil, let recorded {
      let present = Set(plan.model.graph?.initializers.compactMap(\.name) ?? [])
      trainableNames = recorded.filter(present.contains)
      print("Continuing a trainable export: its head is kept and its \(trainableNames.count) trainable weights train again")
    }
    print("Plan: head \(plan.spec?.description ?? "kept") for \(plan.classes) classes (\(classNames.joined(separator: ", "))); feature tensor '\(plan.oldHead.featureTensor)'")
    print(
      "      \(InspectCommand.grouped(plan.trainable.trainableParameterCount)) trainable parameters in \(plan.trainable.trainable.count) tensors, \(InspectCommand.grouped(plan.trainable.frozenParameterCount)) frozen")
    print("      \(trainSet.count) training and \(valSet?.count ?? 0) validation samples")

    // The rewritten model goes to the trainer (and the feature cache); no other binding keeps
    // it, so that the trainer holds the only reference to each trainable weight and full
    // training holds one copy of the weights.
    let oldHead = plan.oldHead
    let headDescription = plan.spec?.description ?? "kept"
    let plannedTrainable = plan.trainable
    var trainingModel = (consume plan).model

    // Train on logits: if the head ends in Softmax/LogSoftmax, differentiate its input.
    let output = oldHead.output
    var logits = output
    if let g = trainingModel.graph, let p = g.nodes.first(where: { $0.outputs.contains(output) }),
      p.opType == "Softmax" || p.opType == "LogSoftmax", let x = p.inputs.first
    {
      logits = x
      if !g.outputs.contains(where: { $0.name == x }) { trainingModel.graph!.outputs.append(ValueInfo(name: x)) }
    }
    let trainer = try Trainer(
      model: trainingModel, trainable: Set(trainableNames), input: inputInfo?.name, output: logits)
    let inputName = trainer.input

    var config = FitConfiguration()
    config.epochs = s.epochs
    config.batchSize = s.batchSize
    config.learningRate = s.lr
    config.seed = s.seed
    config.loss = SoftmaxCrossEntropy(labelSmoothing: Float(s.labelSmoothing))
    config.clipNorm = s.clipNorm.map(Float.init)
    config.earlyStoppingPatience = s.patience > 0 && valSet != nil ? s.patience : nil
    config.checkpointDirectory = s.checkpointDir
    switch s.optimizer {
    case "sgd": config.optimizer = SGD(momentum: Float(s.momentum), weightDecay: Float(s.weightDecay ?? 0))
    case "adam": config.optimizer = Adam(weightDecay: Float(s.weightDecay ?? 0))
    default: config.optimizer = AdamW(weightDecay: Float(s.weightDecay ?? 0.01))
    }
    let scheduleParts = s.schedule.lowercased().split(separator: ":")
    switch scheduleParts.first ?? "constant" {
    case "constant": config.schedule = .constant
    case "cosine":
      let steps = s.epochs * ((trainSet.count + s.batchSize - 1) / s.batchSize)
      config.schedule = .cosine(warmup: s.warmup, total: steps, minimum: 0)
    case "step" where scheduleParts.count == 3:
      guard let size = Int(scheduleParts[1]), let gamma = Double(scheduleParts[2]) else { fallthrough }
      config.schedule = .step(stepSize: size, gamma: gamma)
    default:
      throw CLIError(message: "finetune: --schedule must be constant, cosine or step:EPOCHS:GAMMA, got '\(s.schedule)'", usage: true)
    }

    let train = DatasetBatchSource(trainSet, augment: s.augment, seed: s.seed, report: report, isTraining: true)
    let validation = valSet.map { DatasetBatchSource($0, augment: false, seed: s.seed, report: report) }
    // With a frozen backbone the head trains on cached features (FeatureCacheRun.swift).
    let cache = try FeatureCacheRun.prepare(
      mode: s.cacheFeatures, budget: s.cacheBudget.flatMap(FeatureCacheRun.parseBytes) ?? FeatureCacheRun.defaultBudget,
      augment: s.augment, model: consume trainingModel, input: inputName, featureTensor: oldHead.featureTensor,
      output: logits, trainable: Set(trainableNames), trainSet: trainSet, valSet: valSet, batchSize: s.batchSize,
      report: report)
    let phaseOneTrainer = cache?.trainer ?? trainer
    // Without it, loading overlaps training (PrefetchingBatchSource.swift).
    let trainFeed = PrefetchingBatchSource(train)
    let validationFeed = validation.map { PrefetchingBatchSource($0) }
    let phaseOneTrain: BatchSource = cache.map { FaultPointBatchSource($0.train) as BatchSource } ?? trainFeed
    let phaseOneValidation: BatchSource? = cache == nil ? validationFeed : cache!.validation
    var before: Double?
    if let phaseOneValidation {
      before = try phaseOneTrainer.evaluate(phaseOneValidation, batchSize: s.batchSize, loss: config.loss, topK: 5).accuracy
    }
    let resume = try s.resume ? readResumeCheckpoint(s.checkpointDir! + "/last.ckpt") : nil
    if let resume {
      // The augmentation stream continues where the interrupted run was (one draw per batch).
      train.draws = UInt64(resume.epoch * ((trainSet.count + s.batchSize - 1) / s.batchSize))
      print("Resuming after epoch \(resume.epoch) (step \(resume.step)) from \(s.checkpointDir!)/last.ckpt")
    }
    let bar = ProgressBar(epochs: s.epochs)
    var history = try phaseOneTrainer.fit(
      train: phaseOneTrain, validation: phaseOneValidation, configuration: config, resume: resume
    ) {
      bar.handle($0)
    }
    // A class whose every training image was unreadable never trained.
    var readable = [Int](repeating: 0, count: classNames.count)
    let badPaths = report.paths
    for (i, label) in trainSet.labels.enumerated() where label < readable.count && !badPaths.contains(trainSet.sampleName(at: i)) {
      readable[label] += 1
    }
    for (c, n) in readable.enumerated() where n == 0 {
      printError("warning: class '\(classNames[c])' has no readable training image; the model never saw an example of it")
    }
    var finalModel = cache?.trainedModel() ?? trainer.trainedModel()
    if let k = s.unfreezeLast {
      // Phase two: the head has trained; now also the last K weight layers, at a lower rate.
      // The phase-one trainers and the cache's backbone go first: they share those layers'
      // weights, which would otherwise be copied beside them on the first update.
      _ = consume cache
      _ = consume phaseOneTrainer
      _ = consume trainer
      let set = try TrainableSet(model: finalModel, policy: .unfreezeLast(k), featureTensor: oldHead.featureTensor)
      trainableNames = set.trainable
      print("Phase two: \(set.trainable.count) trainable tensors (last \(k) weight layers), \(s.fineTuneEpochs) epochs")
      let second = try Trainer(model: consume finalModel, trainable: Set(set.trainable), input: inputName, output: logits)
      var config2 = config
      config2.epochs = s.fineTuneEpochs
      config2.learningRate = s.fineTuneLR ?? s.lr / 10
      config2.checkpointDirectory = s.checkpointDir.map { $0 + "/phase2" }
      let bar2 = ProgressBar(epochs: s.fineTuneEpochs)
      let more = try second.fit(train: trainFeed, validation: validationFeed, configuration: config2) { bar2.handle($0) }
      let offset = history.epochs.count
      history.epochs += more.epochs.map { var e = $0; e.epoch += offset; return e }
      finalModel = second.trainedModel()
    }

    // Export.
    var tuned = finalModel
    if logits != output { tuned.graph!.outputs.removeAll { $0.name == logits } }
    if !s.trainable {
      _ = try PassDriver.run(
        [DropoutRemoval(), BatchNormFolding(), ShapeConstantFolding(), IdentityRemoval(), DeadNodeElimination()], on: &tuned)
    } else {
      tuned.setMetadata("onnx_tune.trainable", trainableNames.joined(separator: "\n"))
    }
    tuned.setMetadata(ClassNamesMetadata.key, ClassNamesMetadata.encode(classNames))
    if let p = preprocessing {
      let (mean, std) = p.normalization.parameters(channels: p.channels)
      tuned.setMetadata(
        "onnx_tune.preprocessing",
        StoredPreprocessing(size: [p.height, p.width], layout: p.layout.rawValue.uppercased(), channels: p.channels, mean: mean, std: std).json)
    }
    if let target = s.opset { try OpsetUpgrade.upgrade(&tuned, to: target) }
    // Under --fp16 the reference is the deployment graph with its weights rounded to float16.
    let fp16Reference = s.fp16 ? halfPrecisionWeights(tuned, storage: false) : nil
    if s.fp16 { tuned = halfPrecisionWeights(tuned, storage: true) }
    // Inline (the writer still moves weights to OUT.data by itself past protobuf's 2 GiB).
    FaultInjection.reach("export")
    try ONNXWriter.write(tuned, toPath: s.out, options: .init(externalData: .inline))

    // Check: the written file, read back by our reader, agrees with the trained model.
    var exportedAccuracy: Double?
    var confusion: [[Int]]?
    if let validation {
      let reread = try ONNXReader.readModel(atPath: s.out)
      var reference = fp16Reference ?? finalModel
      if logits != output, fp16Reference == nil { reference.graph!.outputs.removeAll { $0.name == logits } }
      let a = try ExecutionPlan(model: reference)
      let b = try ExecutionPlan(model: reread)
      let ia = a.outputs.firstIndex { $0.name == output }!
      let ib = b.outputs.firstIndex { $0.name == output }!
      var correct = 0
      var worst: Float = 0
      var matrix = [[Int]](repeating: [Int](repeating: 0, count: classNames.count), count: classNames.count)
      for start in stride(from: 0, to: validation.count, by: s.batchSize) {
        let (x, y) = try validation.batch(Array(start..<min(start + s.batchSize, validation.count)))
        let ya = try Executor.run(a, inputs: [inputName: x])[ia].floatValues()
        let yb = try Executor.run(b, inputs: [inputName: x])[ib].floatValues()
        for (u, v) in zip(ya, yb) { worst = max(worst, abs(u - v)) }
        let c = yb.count / max(y.count, 1)
        for (i, label) in y.enumerated() {
          let row = yb[(i * c)..<((i + 1) * c)]
          let predicted = row.firstIndex(of: row.max()!)! - row.startIndex
          if predicted == label { correct += 1 }
          if label < matrix.count && predicted < matrix.count { matrix[label][predicted] += 1 }
        }
      }
      guard worst <= 1e-4 else {
        throw CLIError(message: "finetune: the exported model differs from the trained one by \(worst) (> 1e-4); \(s.out) is not trustworthy")
      }
      exportedAccuracy = Double(correct) / Double(max(validation.count, 1))
      confusion = matrix
    }

    try write(history.csv(), to: s.out + ".history.csv")
    try write(history.json(), to: s.out + ".history.json")
    try write(configJSON(s, classNames: classNames), to: s.out + ".config.json")

    let seconds = Date().timeIntervalSince(started)
    let htmlReport = TrainingReport(
      title: "onnx-tune finetune: \((s.out as NSString).lastPathComponent)",
      plan: [
        ("model", s.model), ("data", s.data), ("classes", classNames.joined(separator: ", ")),
        ("head", headDescription), ("feature tensor", oldHead.featureTensor),
        ("trainable tensors", trainableNames.joined(separator: ", ")),
        ("trainable parameters", InspectCommand.grouped(plannedTrainable.trainableParameterCount)),
        ("frozen parameters", InspectCommand.grouped(plannedTrainable.frozenParameterCount)),
        ("optimizer", "\(s.optimizer), learning rate \(s.lr), batch \(s.batchSize)"),
        ("training / validation samples", "\(trainSet.count) / \(valSet?.count ?? 0)"),
      ],
      history: history, classNames: classNames, confusion: confusion, accuracyBefore: before,
      accuracyAfter: exportedAccuracy, seconds: seconds)
    try write(htmlReport.html(), to: s.out + ".report.html")
    print("")
    if let before, let after = exportedAccuracy {
      print(String(format: "Validation accuracy: %.4f before training (new head), %.4f after (exported model)", before, after))
    }
    if report.count > 0 {
      print("Bad data: skipped \(report.count) unreadable file\(report.count == 1 ? "" : "s"):")
      for e in report.examples.sorted(by: { $0.path < $1.path }) { print("  \(e.path): \(e.reason)") }
      if report.count > report.examples.count { print("  and \(report.count - report.examples.count) more") }
    }
    print(String(format: "Done in %.1f s. Wrote %@ (+ .report.html, .history.csv, .history.json, .config.json)", seconds, s.out))
    return 0
  }

  /// Fails before any training when an output cannot be written: the folder of `--out` is
  /// missing, not a folder or read-only, `--out` is a folder, or `--checkpoint-dir` cannot be
  /// created or written.
  static func checkOutputs(_ s: Settings) throws {
    func writableFolder(_ dir: String, for what: String) throws {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) else {
        throw CLIError(message: "finetune: cannot write \(what): folder '\(dir)' does not exist")
      }
      guard isDirectory.boolValue else { throw CLIError(message: "finetune: cannot write \(what): '\(dir)' is not a folder") }
      guard access(dir, W_OK) == 0 else {
        throw CLIError(message: "finetune: cannot write \(what): folder '\(dir)' is not writable (\(String(cString: strerror(errno))))")
      }
    }
    let outDirectory = (s.out as NSString).deletingLastPathComponent
    try writableFolder(outDirectory.isEmpty ? "." : outDirectory, for: s.out)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: s.out, isDirectory: &isDirectory), isDirectory.boolValue {
      throw CLIError(message: "finetune: cannot write \(s.out): it is a folder")
    }
    if let dir = s.checkpointDir {
      if FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw CLIError(message: "finetune: --checkpoint-dir '\(dir)' is a file, not a folder")
      }
      do {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      } catch {
        throw CLIError(message: "finetune: cannot create --checkpoint-dir '\(dir)': \(error.localizedDescription)")
      }
      try writableFolder(dir, for: "checkpoints")
      if s.resume && !FileManager.default.fileExists(atPath: dir + "/last.ckpt") {
        throw CLIError(message: "finetune: --resume: there is no checkpoint \(dir)/last.ckpt (a run writes it at the end of its first epoch)")
      }
    }
  }

  /// The checkpoint `--resume` continues from, with an error that says what to do.
  static func readResumeCheckpoint(_ path: String) throws -> Checkpoint {
    guard FileManager.default.fileExists(atPath: path) else {
      throw CLIError(message: "finetune: --resume: there is no checkpoint \(path) (a run writes it at the end of its first epoch)")
    }
    do {
      return try Checkpoint.read(atPath: path)
    } catch {
      throw CLIError(message: "finetune: --resume: cannot read \(path): \(error)")
    }
  }

  /// Fresh weights for a from-scratch baseline: He-uniform for every float initializer of rank
  /// ≥ 2 (bound √(6/fan_in)), zero for other float initializers, and BatchNormalization's
  /// scale, bias, mean and variance set to 1, 0, 0, 1.
  static func reinitialize(_ model: inout Model, seed: UInt64) {
    guard var graph = model.graph else { return }
    var ones = Set<String>()
    for n in graph.nodes where n.opType == "BatchNormalization" {
      if n.inputs.count > 1 { ones.insert(n.inputs[1]) }
      if n.inputs.count > 4 { ones.insert(n.inputs[4]) }
    }
    var rng = SeededRandom(seed: seed &+ 0x5EED)
    for i in graph.initializers.indices where graph.initializers[i].data.dtype == .float {
      let t = graph.initializers[i].data
      let values: [Float]
      if t.rank >= 2 {
        let fanIn = max(t.shape.dropFirst().reduce(1, *), 1)
        let bound = (6 / Float(fanIn)).squareRoot()
        values = (0..<t.count).map { _ in (rng.nextFloat() * 2 - 1) * bound }
      } else {
        values = [Float](repeating: ones.contains(graph.initializers[i].name ?? "") ? 1 : 0, count: t.count)
      }
      graph.initializers[i].data = Tensor(values, shape: t.shape)
    }
    model.graph = graph
  }

  /// Float initializers of 16 or more elements as float16: stored as float16 with a `Cast` to
  /// float32 in front of the graph (`storage`), or only rounded through float16 (the reference
  /// the export is checked against). Initializers that are also graph inputs are left alone.
  static func halfPrecisionWeights(_ model: Model, storage: Bool) -> Model {
    var model = model
    guard var g = model.graph else { return model }
    let inputs = Set(g.inputs.compactMap(\.name))
    var casts: [Node] = []
    for i in g.initializers.indices {
      let t = g.initializers[i]
      guard let name = t.name, t.data.dtype == .float, t.data.count >= 16, !inputs.contains(name) else { continue }
      let half = t.data.converted(to: .float16)
      if storage {
        g.initializers[i] = TensorProto(name: name + "_fp16", data: half, docString: t.docString)
        casts.append(Node(opType: "Cast", inputs: [name + "_fp16"], outputs: [name], name: "fp16_to_fp32_" + name, attributes: [.int("to", 1)]))
      } else {
        g.initializers[i].data = half.converted(to: .float)
      }
    }
    g.nodes = casts + g.nodes
    model.graph = g
    return model
  }

  /// Atomically, like the model: a run killed while writing leaves the previous file, and the
  /// next run removes the killed run's temporary file.
  static func write(_ text: String, to path: String) throws {
    try ONNXWriter.write(bytes: Array(text.utf8), toPath: path)
  }

  static func configJSON(_ s: Settings, classNames: [String]) -> String {
    var items: [(String, JSON)] = [
      ("model", .string(s.model)), ("data", .string(s.data)), ("val_split", .double(s.valSplit)),
      ("class_names", .array(classNames.map(JSON.string))), ("head", s.head.map(JSON.string) ?? .null),
      ("freeze", .string(s.freeze)), ("epochs", .int(s.epochs)), ("batch_size", .int(s.batchSize)),
      ("optimizer", .string(s.optimizer)), ("lr", .double(s.lr)), ("schedule", .string(s.schedule)),
      ("weight_decay", s.weightDecay.map(JSON.double) ?? .null), ("patience", .int(s.patience)),
      ("seed", .int(Int(s.seed))), ("augment", .bool(s.augment)), ("out", .string(s.out)),
      ("softmax", .bool(s.softmax)), ("trainable", .bool(s.trainable)), ("fp16", .bool(s.fp16)),
    ]
    if let v = s.valData { items.append(("val_data", .string(v))) }
    if let c = s.cutAt { items.append(("cut_at", .string(c))) }
    if let p = s.pop { items.append(("pop", .int(p))) }
    if let c = s.classes { items.append(("classes", .int(c))) }
    if let k = s.unfreezeLast {
      items += [("unfreeze_last", .int(k)), ("fine_tune_epochs", .int(s.fineTuneEpochs))]
      if let lr = s.fineTuneLR { items.append(("fine_tune_lr", .double(lr))) }
    }
    if let v = s.labels { items.append(("labels", .string(v))) }
    if s.fromScratch { items.append(("from_scratch", .bool(true))) }
    if let c = s.clipNorm { items.append(("clip_norm", .double(c))) }
    if s.labelSmoothing != 0 { items.append(("label_smoothing", .double(s.labelSmoothing))) }
    if s.warmup != 0 { items.append(("warmup", .int(s.warmup))) }
    if let d = s.checkpointDir { items.append(("checkpoint_dir", .string(d))) }
    if let l = s.layout { items.append(("layout", .string(l.rawValue))) }
    if let o = s.opset { items.append(("opset", .int(o))) }
    items.append(("cache_features", .string(s.cacheFeatures.rawValue)))
    if let b = s.cacheBudget { items.append(("cache_budget", .string(b))) }
    return JSON.object(items).rendered() + "\n"
  }
}

/// The preprocessing stored in a model's `onnx_tune.preprocessing` metadata (JSON).
struct StoredPreprocessing {
  var size: [Int]?
  var layout: String?
  var channels: Int?
  var mean: [Float]?
  var std: [Float]?

  init(size: [Int]?, layout: String?, channels: Int?, mean: [Float]?, std: [Float]?) {
    self.size = size
    self.layout = layout
    self.channels = channels
    self.mean = mean
    self.std = std
  }

  init?(json: String) {
    guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return nil }
    size = (object["size"] as? [NSNumber])?.map(\.intValue)
    layout = object["layout"] as? String
    channels = (object["channels"] as? NSNumber)?.intValue
    mean = (object["mean"] as? [NSNumber])?.map(\.floatValue)
    std = (object["std"] as? [NSNumber])?.map(\.floatValue)
  }

  var json: String {
    JSON.object([
      ("size", size.map { .array($0.map(JSON.int)) } ?? .null), ("layout", layout.map(JSON.string) ?? .null),
      ("channels", channels.map(JSON.int) ?? .null), ("mean", mean.map { .array($0.map { .double(Double($0)) }) } ?? .null),
      ("std", std.map { .array($0.map { .double(Double($0)) }) } ?? .null),
    ]).rendered().replacingOccurrences(of: "\n", with: " ")
  }
}

/// A type-erased dataset, so existential datasets can be split.
struct AnyDataset: Dataset {
  let base: any Dataset
  init(_ base: any Dataset) { self.base = base }
  var count: Int { base.count }
  var classNames: [String] { base.classNames }
  var sampleShape: [Int] { base.sampleShape }
  var labels: [Int] { base.labels }
  func loadSample(
    at index: Int, into destination: UnsafeMutableBufferPointer<Float>, augment: Bool, using generator: inout SeededGenerator
  ) throws {
    try base.loadSample(at: index, into: destination, augment: augment, using: &generator)
  }
  func sampleName(at index: Int) -> String { base.sampleName(at: index) }
}

/// Cached features pass the `batch` fault-injection point too, as `DatasetBatchSource` does
/// for images, so that kill-and-resume tests reach it whichever source trains.
final class FaultPointBatchSource: BatchSource {
  let base: BatchSource
  init(_ base: BatchSource) { self.base = base }
  var count: Int { base.count }
  func batch(_ indices: [Int]) throws -> (features: Tensor, labels: [Int]) {
    FaultInjection.reach("batch")
    return try base.batch(indices)
  }
  func willRead(order: [Int], batchSize: Int, epoch: Int?) { base.willRead(order: order, batchSize: batchSize, epoch: epoch) }
}
