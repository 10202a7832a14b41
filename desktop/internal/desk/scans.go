package desk

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/bianmin/bianmin/shared/bmerr"
)

// MaxScanSize is the largest scan the window takes: a multi-page PDF or a
// photo of a certificate at readable resolution is well under it.
const MaxScanSize = 10 << 20

// scanTypes are the content types a scan may have, by what its bytes say.
var scanTypes = map[string]string{
	"image/jpeg":      "JPEG",
	"image/png":       "PNG",
	"application/pdf": "PDF",
	"image/tiff":      "TIFF",
	"image/bmp":       "BMP",
}

// CheckScan decides by its content, not its name, whether data is a scan the
// window may attach (an image or a PDF of at most MaxScanSize), and returns
// its MIME type. name is only used in messages.
func CheckScan(name string, data []byte) (string, error) {
	base := filepath.Base(name)
	if len(data) == 0 {
		return "", bmerr.Newf(bmerr.Invalid, "scan_empty", "文件“%s”是空的，请重新扫描。", "the file %q is empty; scan it again.", base)
	}
	if len(data) > MaxScanSize {
		return "", bmerr.Newf(bmerr.ResourceExhausted, "scan_too_large",
			"文件“%s”有 %.1f MB，超过 %d MB 的上限。请降低扫描分辨率或分页扫描。",
			"the file %q is %.1f MB, over the %d MB limit; scan at a lower resolution or page by page.",
			base, float64(len(data))/(1<<20), MaxScanSize>>20)
	}
	mime := sniff(data)
	if _, ok := scanTypes[mime]; !ok {
		return "", bmerr.Newf(bmerr.Invalid, "scan_type",
			"文件“%s”不是图片或 PDF（实际内容为 %s），只能附加 JPEG、PNG、TIFF、BMP 图片或 PDF 文件。",
			"the file %q is not an image or a PDF (its content is %s); attach JPEG, PNG, TIFF or BMP images or PDF files.",
			base, mime)
	}
	return mime, nil
}

func sniff(data []byte) string {
	// http.DetectContentType knows JPEG, PNG, BMP and PDF; TIFF it does not.
	if bytes.HasPrefix(data, []byte("II*\x00")) || bytes.HasPrefix(data, []byte("MM\x00*")) {
		return "image/tiff"
	}
	mime, _, _ := strings.Cut(http.DetectContentType(data), ";")
	return mime
}
