#!/usr/bin/env bash
# Installs the Debian packages CementReport needs, only those missing. Idempotent; needs root (or sudo).
set -euo pipefail

packages=(
  libcmark-gfm-dev libcmark-gfm-extensions-dev   # Markdown (GFM) parsing
  libcairo2-dev libpango1.0-dev                  # figures and PDF typesetting
  libdcmtk-dev dcmtk                             # DICOM reading/writing and the test transcoders
  zlib1g-dev pkg-config
  fonts-noto-cjk fonts-dejavu-core               # Chinese and Latin fonts, named explicitly by the renderer
  poppler-utils                                  # pdftotext/pdfinfo/pdffonts/pdftoppm for tests
  orthanc                                        # a real PACS on loopback for the PACS tests (DIMSE)
  python3-pip                                    # pip for the Python readers the tests use (below)
  libsqlite3-dev                                 # the audit registry (GRDB links the system SQLite)
  sqlite3                                        # the independent read-only reader of the kill -9 ingest test
  jq                                             # the JSON filters of the --help examples (HelpExampleTests)
  chromium                                       # headless browser for the HTML report test
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}" >&2
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 2; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Independent readers used by the tests: nibabel counts exported NIfTI masks, pydicom + highdicom read the DICOM
# Segmentation and Structured Report (ResultsCLITests).
python_packages=(nibabel pydicom highdicom)
if command -v python3 >/dev/null; then
  missing_python=()
  for module in "${python_packages[@]}"; do
    python3 -c "import $module" 2>/dev/null || missing_python+=("$module")
  done
  if ((${#missing_python[@]})); then
    echo "Installing Python packages: ${missing_python[*]}" >&2
    python3 -m pip install --quiet "${missing_python[@]}" 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages "${missing_python[@]}"
  fi
fi

if ! command -v swift >/dev/null; then
  for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
    [[ -x "$candidate/swift" ]] && { echo "note: swift found in $candidate; add it to PATH" >&2; exit 0; }
  done
  echo "error: the Swift 6 toolchain is not installed (swift.org provides Debian 12 builds)" >&2
  exit 2
fi
