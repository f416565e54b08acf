// TF Playground's training engine, re-written for timing beside the trainer in one run
// (benchmarks/training_speed.py runs this with Node and divides by its figures).
//
// It keeps what sets the engine's speed: one object per neuron and per link, one example at a
// time forward and backward through those objects, derivatives accumulated on them and applied
// every `batch` examples (mean gradient, plain SGD), tanh hidden and output units, squared
// error 0.5 (o - t)^2, weights U(-0.5, 0.5), biases 0.1 (REFERENCE.md, section 1). An epoch is
// its animation step: every training point once in order; "with loss" adds what its step does
// next, the mean loss over the training and the test points (each a forward pass per point).
// The data is its spiral: two arms of n/2 points, r = i/n*5, t = 1.75*i/n*2pi + {0, pi},
// noise 0 by default, 50% training; points are shuffled before the split.
//
//   node benchmarks/tf_engine.js [--seconds 1] [--shapes 4,2 8,8,8,8,8,8]
// prints one JSON line per shape: epochs per CPU-second and per wall second, training only
// and with the loss of both splits;
//   node benchmarks/tf_engine.js --serve 4,2
// answers requests on standard input (see `serve`), for a caller that takes turns with it.

"use strict";

function spiral(numSamples, noise, random) {
  const points = [];
  const n = numSamples / 2;
  for (const [deltaT, label] of [[0, 1], [Math.PI, -1]]) {
    for (let i = 0; i < n; i++) {
      const r = (i / n) * 5;
      const t = ((1.75 * i) / n) * 2 * Math.PI + deltaT;
      points.push({
        x: r * Math.sin(t) + (random() * 2 - 1) * noise,
        y: r * Math.cos(t) + (random() * 2 - 1) * noise,
        label,
      });
    }
  }
  return points;
}

function shuffle(array, random) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
}

// A small seeded generator (mulberry32), so every run trains the same net on the same data.
function seeded(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TANH = {
  output: (x) => Math.tanh(x),
  der: (x) => {
    const o = Math.tanh(x);
    return 1 - o * o;
  },
};

const SQUARE = {
  error: (output, target) => 0.5 * Math.pow(output - target, 2),
  der: (output, target) => output - target,
};

class Neuron {
  constructor(activation) {
    this.inputLinks = [];
    this.outputs = [];
    this.bias = 0.1;
    this.totalInput = 0;
    this.output = 0;
    this.outputDer = 0;
    this.inputDer = 0;
    this.accInputDer = 0;
    this.numAccumulatedDers = 0;
    this.activation = activation;
  }

  updateOutput() {
    this.totalInput = this.bias;
    for (let j = 0; j < this.inputLinks.length; j++) {
      const link = this.inputLinks[j];
      this.totalInput += link.weight * link.source.output;
    }
    this.output = this.activation.output(this.totalInput);
    return this.output;
  }
}

class Link {
  constructor(source, dest, random) {
    this.source = source;
    this.dest = dest;
    this.weight = random() - 0.5;
    this.isDead = false;
    this.errorDer = 0;
    this.accErrorDer = 0;
    this.numAccumulatedDers = 0;
    this.regularization = null;
  }
}

// shape: [inputs, ...hidden, 1]
function build(shape, random) {
  const network = [];
  for (let layer = 0; layer < shape.length; layer++) {
    const current = [];
    network.push(current);
    for (let i = 0; i < shape[layer]; i++) {
      const neuron = new Neuron(TANH);
      current.push(neuron);
      if (layer >= 1) {
        for (const previous of network[layer - 1]) {
          const link = new Link(previous, neuron, random);
          previous.outputs.push(link);
          neuron.inputLinks.push(link);
        }
      }
    }
  }
  return network;
}

function forward(network, inputs) {
  const inputLayer = network[0];
  for (let i = 0; i < inputLayer.length; i++) inputLayer[i].output = inputs[i];
  for (let layer = 1; layer < network.length; layer++) {
    const current = network[layer];
    for (let i = 0; i < current.length; i++) current[i].updateOutput();
  }
  return network[network.length - 1][0].output;
}

function backward(network, target, errorFunc) {
  const outputNeuron = network[network.length - 1][0];
  outputNeuron.outputDer = errorFunc.der(outputNeuron.output, target);
  for (let layer = network.length - 1; layer >= 1; layer--) {
    const current = network[layer];
    for (let i = 0; i < current.length; i++) {
      const neuron = current[i];
      neuron.inputDer = neuron.outputDer * neuron.activation.der(neuron.totalInput);
      neuron.accInputDer += neuron.inputDer;
      neuron.numAccumulatedDers++;
    }
    for (let i = 0; i < current.length; i++) {
      const neuron = current[i];
      for (let j = 0; j < neuron.inputLinks.length; j++) {
        const link = neuron.inputLinks[j];
        if (link.isDead) continue;
        link.errorDer = neuron.inputDer * link.source.output;
        link.accErrorDer += link.errorDer;
        link.numAccumulatedDers++;
      }
    }
    if (layer === 1) continue;
    const previous = network[layer - 1];
    for (let i = 0; i < previous.length; i++) {
      const neuron = previous[i];
      neuron.outputDer = 0;
      for (let j = 0; j < neuron.outputs.length; j++) {
        const link = neuron.outputs[j];
        neuron.outputDer += link.weight * link.dest.inputDer;
      }
    }
  }
}

function update(network, learningRate, regularizationRate) {
  for (let layer = 1; layer < network.length; layer++) {
    const current = network[layer];
    for (let i = 0; i < current.length; i++) {
      const neuron = current[i];
      if (neuron.numAccumulatedDers > 0) {
        neuron.bias -= (learningRate * neuron.accInputDer) / neuron.numAccumulatedDers;
        neuron.accInputDer = 0;
        neuron.numAccumulatedDers = 0;
      }
      for (let j = 0; j < neuron.inputLinks.length; j++) {
        const link = neuron.inputLinks[j];
        if (link.isDead) continue;
        const regulDer = link.regularization ? link.regularization.der(link.weight) : 0;
        if (link.numAccumulatedDers > 0) {
          link.weight -= (learningRate / link.numAccumulatedDers) * link.accErrorDer;
          link.weight -= learningRate * regularizationRate * regulDer;
          link.accErrorDer = 0;
          link.numAccumulatedDers = 0;
        }
      }
    }
  }
}

// The app's input features, and the switches that pick them (X1 and X2, its default): each
// example's input vector is built from these per step, as the app does.
const FEATURES = {
  x: (x, y) => x,
  y: (x, y) => y,
  xSquared: (x, y) => x * x,
  ySquared: (x, y) => y * y,
  xTimesY: (x, y) => x * y,
  sinX: (x, y) => Math.sin(x),
  sinY: (x, y) => Math.sin(y),
};
const STATE = { x: true, y: true, xSquared: false, ySquared: false, xTimesY: false,
                sinX: false, sinY: false, batchSize: 10, learningRate: 0.03,
                regularizationRate: 0 };

function constructInput(x, y) {
  const input = [];
  for (const name in FEATURES) if (STATE[name]) input.push(FEATURES[name](x, y));
  return input;
}

function loss(network, points) {
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    total += SQUARE.error(forward(network, constructInput(p.x, p.y)), p.label);
  }
  return total / points.length;
}

function epoch(network, train, test, withLoss) {
  train.forEach((p, i) => {
    forward(network, constructInput(p.x, p.y));
    backward(network, p.label, SQUARE);
    if ((i + 1) % STATE.batchSize === 0) {
      update(network, STATE.learningRate, STATE.regularizationRate);
    }
  });
  if (withLoss) return [loss(network, train), loss(network, test)];
  return null;
}

// The engine's figures over about `seconds` of CPU time: epochs, and epochs per CPU-second and
// per wall second.
function timed(network, train, test, seconds, withLoss) {
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  let n = 0;
  let used = 0;
  while (used < seconds) {
    epoch(network, train, test, withLoss);
    n++;
    const cpu = process.cpuUsage(cpu0);
    used = (cpu.user + cpu.system) / 1e6;
  }
  const wall = Number(process.hrtime.bigint() - wall0) / 1e9;
  return { epochs: n, per_cpu_second: n / used, per_wall_second: n / wall };
}

function setUp(shape) {
  const random = seeded(1);
  const points = spiral(500, 0, random);
  shuffle(points, random);
  return { network: build([2, ...shape, 1], random), train: points.slice(0, 250),
           test: points.slice(250) };
}

// One shape, measured now: after a warm-up as long (the JIT compiles the loop), training only,
// then with the loss of both splits; the training loss at the end.
function measure(shape, seconds) {
  const { network, train, test } = setUp(shape);
  timed(network, train, test, seconds, false);
  const trainingOnly = timed(network, train, test, seconds, false);
  const withLoss = timed(network, train, test, seconds, true);
  return { shape, node: process.version, training_only: trainingOnly, with_loss: withLoss,
           train_loss: loss(network, train) };
}

// --serve SHAPE: one net kept training between requests, so that a caller can take turns with
// it: each line "train S" or "loss S" on standard input trains on for S CPU-seconds (with the
// loss of both splits for "loss") and answers one JSON line; the first line answered is
// "ready", after a one-second warm-up.
function serve(shape) {
  const { network, train, test } = setUp(shape);
  timed(network, train, test, 1, false);
  console.log(JSON.stringify({ ready: true, node: process.version }));
  let pending = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => {
    pending += chunk;
    let cut;
    while ((cut = pending.indexOf("\n")) >= 0) {
      const [what, seconds] = pending.slice(0, cut).trim().split(/\s+/);
      pending = pending.slice(cut + 1);
      const figures = timed(network, train, test, Number(seconds), what === "loss");
      console.log(JSON.stringify({ ...figures, train_loss: loss(network, train) }));
    }
  });
}

function main() {
  const args = process.argv.slice(2);
  let seconds = 1;
  let shapes = [[4, 2], [8, 8, 8, 8, 8, 8]];
  let serving = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--seconds") seconds = Number(args[++i]);
    else if (args[i] === "--serve") serving = args[++i].split(",").map(Number);
    else if (args[i] === "--shapes") {
      shapes = [];
      while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        shapes.push(args[++i].split(",").map(Number));
      }
    }
  }
  if (serving !== null) {
    serve(serving);
    return;
  }
  for (const shape of shapes) console.log(JSON.stringify(measure(shape, seconds)));
}

main();
