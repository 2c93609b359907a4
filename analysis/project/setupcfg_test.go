package project

import "testing"

func TestParseSetupCfg(t *testing.T) {
	runReader(t, "setup.cfg", ParseSetupCfg, []readerCase{
		{
			name: "bdist_wheel",
			src:  "[metadata]\nname = x\n\n[bdist_wheel]\npy_limited_api = cp38\n",
			want: []view{{Line: 5, Col: 1, Text: "py_limited_api = cp38", Target: "abi3 3.8+", Value: "cp38"}},
		},
		{
			name: "dashes, case, inline comment, CRLF",
			src:  "[BDIST-WHEEL]\r\n  \r\nPy-Limited-API=cp310 ; abi3 from 3.10\r\n",
			want: []view{{Line: 3, Col: 1, Text: "Py-Limited-API=cp310", Target: "abi3 3.10+", Value: "cp310"}},
		},
		{
			name: "comments and other sections",
			src:  "[bdist_wheel]\n# py_limited_api = cp38\n; py_limited_api = cp39\n[options]\npy_limited_api = cp311\n",
		},
		{
			name: "false and empty",
			src:  "[bdist_wheel]\npy_limited_api = false\n[bdist_wheel]\npy_limited_api =\n",
		},
		{
			name: "malformed tag",
			src:  "[bdist_wheel]\npy_limited_api = abi3\n",
			want: []view{{Line: 2, Col: 1, Text: "py_limited_api = abi3", Target: "audit", Value: "abi3", Err: true}},
		},
		{
			name: "build_ext define",
			src:  "[build_ext]\ndefine = FOO=1,Py_LIMITED_API=0x03090000\n",
			want: []view{{Line: 2, Col: 1, Text: "define = FOO=1,Py_LIMITED_API=0x03090000", Target: "abi3 3.9+", Macro: "Py_LIMITED_API", Value: "0x03090000"}},
		},
		{
			name:         "malformed header",
			src:          "[bdist_wheel\npy_limited_api = cp38\n",
			wantProblems: 1,
		},
		{
			name: "continuation lines are not keys",
			src:  "[bdist_wheel]\nuniversal =\n  py_limited_api = cp38\n",
		},
	})
}
