# Sourced by the Fashion-MNIST benchmarks (run from the repository root, BUILD set): installs the
# dataset, builds the CLI in $BUILD and unpacks the IDX files into $tmp, removed on exit.
# $1: the calling script's name, for messages.
fmnist_setup() {
  sh scripts/install-deps.sh --datasets
  data_src=/usr/share/datasets/fashion-mnist
  [ -f "$data_src/train-images-idx3-ubyte.gz" ] || { echo "$1: no $data_src/*.gz" >&2; exit 1; }
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j2 --target picoml_cli >/dev/null
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    gunzip -c "$data_src/$f.gz" > "$tmp/$f"
  done
}
