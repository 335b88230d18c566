#!/bin/sh
# The picoml command: outputs, exit codes, one-line errors.
# usage: test_cli.sh path/to/picoml   (run from anywhere; PML_REPO points at the repo)
PICOML=${1:?usage: test_cli.sh picoml}
REPO=${PML_REPO:-$(dirname "$0")/../..}
cd "$REPO" || exit 1
. tests/cli/cli_lib.sh

# 1. run with a golden input gives TFLM's bytes
for m in kws_ref_model ad01_int8 str_ww_ref_model; do
  if "$PICOML" run "models/$m.tflite" --input "tests/data/golden/$m.1.input.bin" --output "$tmp/o.bin" > "$tmp/run.txt" \
     && cmp -s "$tmp/o.bin" "tests/data/golden/$m.1.output.bin"; then ok; else ko "run $m: output differs from golden"; fi
done
grep -q "^output 0: int8 \[1,3\] (top: index" "$tmp/run.txt" && ok || ko "run prints the output header"
grep -q "\-> " "$tmp/run.txt" && ok || ko "run prints dequantized values"

# 2. default pattern input, json output
"$PICOML" run models/kws_ref_model.tflite --json > "$tmp/run.json" && grep -q '"dequantized": \[' "$tmp/run.json" && ok || ko "run --json"

# 3. info: json arena_bytes equals the text and plan figures
"$PICOML" info models/vww_96_int8.tflite --json > "$tmp/info.json" || ko "info --json failed"
a_json=$(sed -n 's/.*"arena_bytes": \([0-9]*\).*/\1/p' "$tmp/info.json")
a_text=$("$PICOML" info models/vww_96_int8.tflite | sed -n 's/^arena: *\([0-9]*\) bytes/\1/p')
a_plan=$("$PICOML" plan models/vww_96_int8.tflite | sed -n 's/^arena: \([0-9]*\) bytes.*/\1/p')
[ -n "$a_json" ] && [ "$a_json" = "$a_text" ] && [ "$a_json" = "$a_plan" ] && ok || ko "arena bytes differ: json=$a_json text=$a_text plan=$a_plan"
grep -q '"macs": 7489664' "$tmp/info.json" && ok || ko "info MACs for vww"
grep -q '"DEPTHWISE_CONV_2D": 13' "$tmp/info.json" && ok || ko "info op counts"
"$PICOML" info models/kws_ref_model_float32.tflite > "$tmp/info.txt" && grep -q "^arena:" "$tmp/info.txt" && ok || ko "info on the hybrid model"
"$PICOML" run models/kws_ref_model_float32.tflite > /dev/null && ok || ko "run the hybrid model"

# 4. errors: non-zero exit and one line on stderr
expect_error 1 "cannot open" -- "$PICOML" run "$tmp/missing.tflite"
head -c 1000 models/kws_ref_model.tflite > "$tmp/trunc.tflite"
expect_error 1 "not a valid .tflite" -- "$PICOML" info "$tmp/trunc.tflite"
head -c 100 tests/data/golden/kws_ref_model.0.input.bin > "$tmp/short.bin"
expect_error 1 "has 100 bytes.*needs 490" -- "$PICOML" run models/kws_ref_model.tflite --input "$tmp/short.bin"
expect_error 1 "1 input(s), 2 --input" -- "$PICOML" run models/kws_ref_model.tflite --input "$tmp/short.bin" --input "$tmp/short.bin"
expect_error 2 "unknown command" -- "$PICOML" frobnicate models/kws_ref_model.tflite
expect_error 2 "needs a MODEL" -- "$PICOML" run
expect_error 2 "unknown option" -- "$PICOML" info models/kws_ref_model.tflite --bogus
expect_error 2 "needs a file name" -- "$PICOML" run models/kws_ref_model.tflite --input
"$PICOML" help > /dev/null && ok || ko "help"

# 5. audio: wakeword and kws from WAV (tests/data/audio, issue 7)
A=tests/data/audio
"$PICOML" wakeword models/str_ww_ref_model.tflite $A/short_wav_easy10s.wav --truth $A/short_wav_easy10s.json > "$tmp/ww.txt" \
  && grep -q "^detection at 1.408 s" "$tmp/ww.txt" && grep -q "^detection at 5.024 s" "$tmp/ww.txt" \
  && grep -q "^true positives 2, false negatives 1, false positives 0" "$tmp/ww.txt" && ok || ko "wakeword --truth: $(cat "$tmp/ww.txt")"
"$PICOML" wakeword models/str_ww_ref_model.tflite $A/short_wav_easy10s.wav --json | grep -q '"detections": \[{"time_s": 1.408' && ok || ko "wakeword --json"
"$PICOML" kws models/kws_ref_model.tflite $A/marvin_617de221_0.wav --all > "$tmp/kws.txt" && grep -q "^unknown 0.99" "$tmp/kws.txt" \
  && [ "$(wc -l < "$tmp/kws.txt")" -eq 13 ] && ok || ko "kws --all: $(cat "$tmp/kws.txt")"
head -c 30 $A/marvin_617de221_0.wav > "$tmp/cut.wav"
expect_error 1 "truncated WAV" -- "$PICOML" kws models/kws_ref_model.tflite "$tmp/cut.wav"
: > "$tmp/empty.wav"
expect_error 1 "no audio samples" -- "$PICOML" wakeword models/str_ww_ref_model.tflite "$tmp/empty.wav"
expect_error 1 "not a WAV file" -- "$PICOML" kws models/kws_ref_model.tflite models/NOTICE
expect_error 1 "not an int8 (1, frames, 1, 40)" -- "$PICOML" wakeword models/kws_ref_model.tflite $A/marvin_617de221_0.wav
expect_error 1 "no \"detection_windows\"" -- "$PICOML" wakeword models/str_ww_ref_model.tflite $A/short_wav_easy10s.wav --truth models/NOTICE
expect_error 2 "threshold" -- "$PICOML" wakeword models/str_ww_ref_model.tflite $A/short_wav_easy10s.wav --threshold 2
expect_error 2 "usage: picoml kws" -- "$PICOML" kws models/kws_ref_model.tflite

# pack: a valid model that runs to the golden bytes (here and, where installed, in LiteRT)
"$PICOML" pack models/ad01_int8.tflite -o "$tmp/ad_p.tflite" > "$tmp/pack.txt" \
  && grep -q "^packed 10 FULLY_CONNECTED ops" "$tmp/pack.txt" && ok || ko "pack ad01_int8: $(cat "$tmp/pack.txt")"
for k in 0 1; do
  "$PICOML" run "$tmp/ad_p.tflite" --input "tests/data/golden/ad01_int8.$k.input.bin" --output "$tmp/op.bin" > /dev/null \
    && cmp -s "$tmp/op.bin" "tests/data/golden/ad01_int8.$k.output.bin" && ok || ko "packed ad01_int8 input $k: not golden"
done
expect_error 1 "already packed" -- "$PICOML" pack "$tmp/ad_p.tflite" -o "$tmp/x.tflite"
expect_error 1 "no int8 FULLY_CONNECTED" -- "$PICOML" pack models/ad01_fp32.tflite -o "$tmp/x.tflite"
expect_error 1 "not a valid model" -- "$PICOML" pack models/NOTICE -o "$tmp/x.tflite"
expect_error 2 "unknown target" -- "$PICOML" pack models/ad01_int8.tflite -o "$tmp/x.tflite" --target rv32
expect_error 2 "usage: picoml pack" -- "$PICOML" pack models/ad01_int8.tflite
if python3 -c "import ai_edge_litert" 2> /dev/null; then
  python3 - "$tmp/ad_p.tflite" models/ad01_int8.tflite "tests/data/golden/ad01_int8.0.input.bin" << 'EOF' 2> /dev/null \
    && ok || ko "LiteRT: the packed model does not load or run like the original"
import sys
import numpy as np
from ai_edge_litert.interpreter import Interpreter
outs = []
for path in sys.argv[1:3]:
    it = Interpreter(model_path=path)
    it.allocate_tensors()
    i, o = it.get_input_details()[0], it.get_output_details()[0]
    it.set_tensor(i["index"], np.fromfile(sys.argv[3], dtype=np.int8).reshape(i["shape"]))
    it.invoke()
    outs.append(it.get_tensor(o["index"]).copy())
sys.exit(0 if outs[0].size and np.array_equal(outs[0], outs[1]) else 1)
EOF
else
  echo "cli: ai_edge_litert not installed: the packed model is not checked in LiteRT"
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
