;;; abi3ls.el --- CPython Limited API checks for C/C++ through the abi3ls language server  -*- lexical-binding: t -*-

;; Copyright (c) 2026 The abi3ls authors
;; SPDX-License-Identifier: MIT

;; Author: The abi3ls authors
;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: languages, c, tools
;; URL: https://github.com/abi3ls/abi3ls

;;; Commentary:

;; abi3ls flags uses of the CPython C API outside the Limited API
;; (Py_LIMITED_API, PEP 384) and the free-threaded stable ABI
;; (Py_TARGET_ABI3T, PEP 803) in the C and C++ source of extension modules.
;; This file runs `abi3ls serve' for `c-mode', `c++-mode', `c-ts-mode' and
;; `c++-ts-mode' buffers.
;;
;; With eglot (built in since Emacs 29, `elpa-eglot' on Debian's Emacs 28):
;;
;;   (require 'abi3ls)
;;   (abi3ls-eglot-setup)                 ; abi3ls is the server for C/C++
;;   (add-hook 'c-mode-hook #'eglot-ensure)
;;
;; eglot runs one server per buffer.  To keep another server (clangd) as the
;; default and start abi3ls only when asked, use (abi3ls-eglot-setup
;; 'alternative): `M-x eglot' then asks which one to start.  To run abi3ls
;; *beside* clangd, use lsp-mode, which supports add-on servers:
;;
;;   (with-eval-after-load 'lsp-mode (abi3ls-lsp-mode-setup))
;;
;; Settings (`M-x customize-group RET abi3ls') are sent as the server's
;; initializationOptions and, under "abi3ls", with
;; workspace/didChangeConfiguration whenever they change.
;;
;; Commands: `abi3ls-fix-all' (source.fixAll.abi3ls), `abi3ls-show-target'.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'eieio)
(require 'url-util)

(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-activate-on "lsp-mode")
(declare-function lsp-request "lsp-mode")
(declare-function lsp--text-document-identifier "lsp-mode")
(declare-function lsp-execute-code-action-by-kind "lsp-mode")

(defgroup abi3ls nil
  "CPython Limited API checks through the abi3ls language server."
  :group 'tools
  :prefix "abi3ls-"
  :link '(url-link "https://github.com/abi3ls/abi3ls"))

(defun abi3ls--set-and-notify (sym value)
  "Set SYM to VALUE and send the new settings to running abi3ls servers."
  (set-default sym value)
  (when (fboundp 'abi3ls-send-settings)
    (abi3ls-send-settings)))

(defcustom abi3ls-executable "abi3ls"
  "The abi3ls binary: a name looked up on `exec-path', or an absolute path."
  :type 'string)

(defcustom abi3ls-modes '(c-mode c++-mode c-ts-mode c++-ts-mode)
  "Major modes whose buffers abi3ls checks."
  :type '(repeat symbol))

(defcustom abi3ls-target nil
  "Limited API version to check against, e.g. \"3.10\".
nil: the target the file declares (#define Py_LIMITED_API, compile
flags, build files); with none, audit mode."
  :type '(choice (const :tag "Declared by the project" nil) (string :tag "Version"))
  :set #'abi3ls--set-and-notify)

(defcustom abi3ls-abi3t nil
  "Non-nil: check against the free-threaded stable ABI (PEP 803) as well."
  :type 'boolean
  :set #'abi3ls--set-and-notify)

(defcustom abi3ls-audit "hint"
  "Severity of findings in audit mode (files with no declared target)."
  :type '(choice (const "off") (const "hint") (const "information") (const "warning"))
  :set #'abi3ls--set-and-notify)

(defcustom abi3ls-severity nil
  "Per-rule severity, an alist of (CODE . LEVEL), e.g. ((\"ABI009\" . \"off\"))."
  :type '(alist :key-type (string :tag "Code")
                :value-type (choice (const "off") (const "hint") (const "information")
                                    (const "warning") (const "error")))
  :set #'abi3ls--set-and-notify)

(defcustom abi3ls-select nil
  "Only report these rule codes (nil: all)."
  :type '(repeat string)
  :set #'abi3ls--set-and-notify)

(defcustom abi3ls-ignore nil
  "Never report these rule codes."
  :type '(repeat string)
  :set #'abi3ls--set-and-notify)

(defcustom abi3ls-include-dirs nil
  "Extra directories searched for local headers."
  :type '(repeat directory)
  :set #'abi3ls--set-and-notify)

(defcustom abi3ls-exclude nil
  "Glob patterns of files not to check, e.g. \"vendor/**\"."
  :type '(repeat string)
  :set #'abi3ls--set-and-notify)

(defun abi3ls-settings ()
  "The server settings as a JSON-ready plist (initializationOptions)."
  (append
   (when abi3ls-target (list :target abi3ls-target))
   (list :abi3t (if abi3ls-abi3t t :json-false)
         :audit abi3ls-audit
         :severity (or (cl-loop for (code . level) in abi3ls-severity
                                append (list (intern (concat ":" code)) level))
                       (make-hash-table))
         :select (vconcat abi3ls-select)
         :ignore (vconcat abi3ls-ignore)
         :includeDirs (vconcat (mapcar #'expand-file-name abi3ls-include-dirs))
         :exclude (vconcat abi3ls-exclude))))

;;;; eglot

(require 'eglot)

;; A server class, so that the settings are computed when the server starts.
(defclass abi3ls-eglot-server (eglot-lsp-server) ()
  :documentation "The abi3ls language server.")

(cl-defmethod eglot-initialization-options ((_server abi3ls-eglot-server))
  "The abi3ls settings, sent as initializationOptions."
  (abi3ls-settings))

(defun abi3ls--server-p (server)
  "Non-nil when SERVER is an abi3ls eglot server."
  (and server (cl-typep server 'abi3ls-eglot-server)))

(defun abi3ls-eglot-contact (&optional _interactive)
  "The eglot contact that starts abi3ls."
  (list 'abi3ls-eglot-server abi3ls-executable "serve"))

(defun abi3ls--eglot-alternative (previous)
  "A contact function offering abi3ls beside PREVIOUS (an eglot contact)."
  (lambda (&optional interactive)
    (let ((prev (if (functionp previous) (funcall previous interactive) previous)))
      (if (and interactive
               (equal (completing-read "[abi3ls] Server for this buffer: "
                                       '("abi3ls" "the other one") nil t nil nil "abi3ls")
                      "abi3ls"))
          (abi3ls-eglot-contact interactive)
        prev))))

(defun abi3ls--eglot-entry-modes (entry)
  "The major modes of an `eglot-server-programs' ENTRY."
  (let ((key (car entry)))
    (cond ((symbolp key) (list key))
          ((and (consp key) (keywordp (cadr key))) (list (car key)))
          (t (mapcar (lambda (k) (if (consp k) (car k) k)) key)))))

;;;###autoload
(defun abi3ls-eglot-setup (&optional how)
  "Register abi3ls with eglot for `abi3ls-modes'.
HOW nil: abi3ls is the server for those modes.  HOW `alternative': the
server already configured for them stays the default, and
\\[eglot] asks which one to start."
  (let ((previous (cl-loop for e in eglot-server-programs
                           when (cl-intersection (abi3ls--eglot-entry-modes e) abi3ls-modes)
                           return (cdr e))))
    (setq eglot-server-programs
          (cons (cons abi3ls-modes
                      (if (and (eq how 'alternative) previous)
                          (abi3ls--eglot-alternative previous)
                        #'abi3ls-eglot-contact))
                (cl-remove-if (lambda (e)
                                (and (functionp (cdr e))
                                     (memq (cdr e) '(abi3ls-eglot-contact))))
                              eglot-server-programs))))
  (add-hook 'eglot-connect-hook #'abi3ls--eglot-connected))

(defun abi3ls--eglot-connected (server)
  "Send the settings to SERVER once connected, if it is abi3ls."
  (when (abi3ls--server-p server)
    (jsonrpc-notify server :workspace/didChangeConfiguration
                    (list :settings (list :abi3ls (abi3ls-settings))))))

(defun abi3ls--eglot-servers ()
  "The running abi3ls eglot servers."
  (let (out)
    (maphash (lambda (_project servers)
               (dolist (s servers)
                 (when (abi3ls--server-p s) (push s out))))
             eglot--servers-by-project)
    out))

(defun abi3ls-send-settings ()
  "Send the current settings to every running abi3ls eglot server.
\(lsp-mode reads them when the server starts: \[lsp-workspace-restart].)"
  (interactive)
  (dolist (s (abi3ls--eglot-servers))
    (abi3ls--eglot-connected s)))

;;;; Commands (eglot or lsp-mode)

(defun abi3ls--eglot-managed-p ()
  "Non-nil when the current buffer is managed by an abi3ls eglot server."
  (abi3ls--server-p (eglot-current-server)))

(defun abi3ls--plist (v)
  "V with hash tables (lsp-mode's JSON objects) turned into plists."
  (cond ((hash-table-p v)
         (let (out)
           (maphash (lambda (k x) (setq out (append out (list (intern (concat ":" k)) (abi3ls--plist x))))) v)
           out))
        ((vectorp v) (vconcat (mapcar #'abi3ls--plist v)))
        (t v)))

(defun abi3ls--request (method params)
  "Send METHOD with PARAMS to the abi3ls server; return the answer as a plist."
  (cond ((abi3ls--eglot-managed-p)
         (jsonrpc-request (eglot--current-server-or-lose) method params))
        ((bound-and-true-p lsp-mode)
         (abi3ls--plist (lsp-request (substring (symbol-name method) 1) params)))
        (t (user-error "abi3ls: no abi3ls server manages this buffer"))))

(defun abi3ls--text-document ()
  "The TextDocumentIdentifier of the current buffer."
  (if (abi3ls--eglot-managed-p)
      (eglot--TextDocumentIdentifier)
    (lsp--text-document-identifier)))

;;;###autoload
(defun abi3ls-fix-all ()
  "Apply every safe abi3ls fix in the buffer (code action source.fixAll.abi3ls)."
  (interactive)
  (cond ((abi3ls--eglot-managed-p)
         (eglot-code-actions (point-min) (point-max) "source.fixAll.abi3ls" t))
        ((bound-and-true-p lsp-mode)
         (lsp-execute-code-action-by-kind "source.fixAll.abi3ls"))
        (t (user-error "abi3ls: no abi3ls server manages this buffer"))))

(defun abi3ls--where (loc)
  "An LSP Location LOC as \"file:line\", or \"\"."
  (let ((uri (and (consp loc) (plist-get loc :uri))))
    (if (not (stringp uri))
        ""
      (let ((file (file-name-nondirectory (url-unhex-string (string-remove-prefix "file://" uri))))
            (start (plist-get (plist-get loc :range) :start)))
        (if start (format "%s:%d" file (1+ (plist-get start :line))) file)))))

(defun abi3ls--str (v)
  "V as a string, or \"\"."
  (cond ((stringp v) v) ((numberp v) (number-to-string v)) (t "")))

(defconst abi3ls--source-words
  '(("config" . "the target setting") ("define" . "a #define in the file")
    ("header" . "a #define in a local header") ("compileFlags" . "the compile flags")
    ("buildFile" . "a build file"))
  "How the fileStatus source kinds read.")

(defun abi3ls-describe-status (status)
  "A one-line description of STATUS, the answer to abi3ls/fileStatus.
Its fields (server/features.go FileStatus): target \"abi3 3.10+\",
\"abi3t 3.15+\" or \"audit\", source, declaration, location, minVersion,
minSymbol, minLocation, blockers, findings, analyzed, reason."
  (let* ((label (let ((x (abi3ls--str (plist-get status :target)))) (if (string-empty-p x) "audit" x)))
         (audit (not (string-prefix-p "abi3" label)))
         (decl (abi3ls--str (plist-get status :declaration)))
         (kind (abi3ls--str (plist-get status :source)))
         (at (abi3ls--where (plist-get status :location)))
         (source (concat (if (string-empty-p decl)
                             (or (cdr (assoc kind abi3ls--source-words)) kind)
                           decl)
                         (if (string-empty-p at) "" (format " (%s)" at))))
         (minimum (abi3ls--str (plist-get status :minVersion)))
         (pinned (abi3ls--str (plist-get status :minSymbol)))
         (pinned-at (abi3ls--where (plist-get status :minLocation)))
         (blockers (or (plist-get status :blockers) 0))
         (findings (or (plist-get status :findings) 0)))
    (string-join
     (delq nil
           (list
            (when (eq (plist-get status :analyzed) :json-false)
              (format "not analyzed: %s" (abi3ls--str (plist-get status :reason))))
            (if audit
                "audit (no Limited API target declared)"
              (format "%s, declared by %s" label source))
            (unless (string-empty-p minimum)
              (format "needs at least %s%s" minimum
                      (if (string-empty-p pinned) ""
                        (format " (%s%s)" pinned
                                (if (string-empty-p pinned-at) "" (concat " at " pinned-at))))))
            (when (and (numberp blockers) (> blockers 0))
              (format "%d API name(s) that no Limited API version has" blockers))
            (format "%s finding(s)" findings)))
     "; ")))

;;;###autoload
(defun abi3ls-show-target ()
  "Show the buffer's Limited API target and the minimum version it needs.
Returns the message."
  (interactive)
  (let ((status (abi3ls--request :abi3ls/fileStatus
                                 (list :textDocument (abi3ls--text-document)))))
    (message "abi3ls: %s" (abi3ls-describe-status status))))

;;;; lsp-mode (optional)

;;;###autoload
(defun abi3ls-lsp-mode-setup ()
  "Register abi3ls with lsp-mode as an add-on server for C/C++.
It then runs beside the main server (clangd, ccls)."
  (require 'lsp-mode)
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () (list abi3ls-executable "serve")))
    :activation-fn (lsp-activate-on "c" "cpp")
    :major-modes abi3ls-modes
    :server-id 'abi3ls
    :add-on? t
    :priority -2
    :initialization-options #'abi3ls-settings)))

(provide 'abi3ls)
;;; abi3ls.el ends here
