/** Loading a BERT-family model's weights and shape: ONNX and safetensors files, config.json. */
package io.streamvec.text.model.weights;
