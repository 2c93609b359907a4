;;; emacs-lsp-mode-test.el --- headless lsp-mode test of abi3ls-lsp-mode-setup  -*- lexical-binding: t -*-
;; Run by tests/editor-emacs.sh:
;;   SERVER=... PLUGIN=<repo>/editors/emacs CFILE=<ws>/spam.c DIAG_WAIT=15 \
;;     emacs --batch -Q -l emacs-lsp-mode-test.el < /dev/null
;; abi3ls runs as an lsp-mode add-on server (no main C server is installed here).
(require 'package)
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-activate-all)
(require 'cl-lib)

(defvar t-failed nil)
(defvar t-start (float-time))
(defun t-check (ok what)
  (princ (format "%s lsp-mode: %s [+%d ms]\n" (if ok "PASS" "FAIL") what
                 (round (* 1000 (- (float-time) t-start)))))
  (unless ok (setq t-failed t))
  ok)
(defun t-wait (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall pred)))
(defun t-finish () (kill-emacs (if t-failed 1 0)))

(let* ((server (or (getenv "SERVER") (error "SERVER env")))
       (plugin (or (getenv "PLUGIN") (error "PLUGIN env")))
       (cfile (or (getenv "CFILE") (error "CFILE env")))
       (root (file-name-directory cfile))
       (diag-wait (string-to-number (or (getenv "DIAG_WAIT") "15"))))
  (t-check (require 'lsp-mode nil t) "lsp-mode loads")
  (princ (format "INFO lsp-mode %s\n" (or (ignore-errors (lsp-version)) "?")))
  (setq lsp-session-file (make-temp-file "lsp-session")
        lsp-auto-guess-root t
        lsp-enable-file-watchers nil
        lsp-diagnostics-provider :none
        lsp-modeline-code-actions-enable nil
        lsp-modeline-diagnostics-enable nil
        lsp-headerline-breadcrumb-enable nil
        lsp-enable-snippet nil
        lsp-restart 'ignore
        lsp-keep-workspace-alive nil
        lsp-warn-no-matched-clients nil
        lsp-auto-execute-action t
        lsp-debounce-full-sync-notifications nil)
  ;; Only abi3ls: drop the built-in C clients (clangd, ccls) so no prompt asks to install them.
  (load (expand-file-name "abi3ls.el" plugin) nil t)
  (setq abi3ls-executable server)
  (abi3ls-lsp-mode-setup)
  (let ((client (gethash 'abi3ls lsp-clients)))
    (t-check (and client (lsp--client-add-on? client)) "abi3ls registered as an add-on client"))
  (maphash (lambda (id _) (unless (eq id 'abi3ls) (remhash id lsp-clients))) lsp-clients)
  (lsp-workspace-folders-add (directory-file-name root))
  (with-current-buffer (find-file-noselect cfile)
    (lsp)
    (t-check (t-wait (lambda () (and (lsp-workspaces)
                                     (eq (lsp--workspace-status (car (lsp-workspaces))) 'initialized)))
                     10)
             "abi3ls workspace initialized")
    (let* ((diags (lambda () (cl-remove-if-not
                              (lambda (d) (equal (lsp:diagnostic-code? d) "ABI001"))
                              (gethash (lsp--fix-path-casing buffer-file-name) (lsp-diagnostics t)))))
           (got (t-wait (lambda () (= (length (funcall diags)) 2)) diag-wait)))
      (unless (t-check got (format "two ABI001 diagnostics (%d)" (length (funcall diags))))
        (t-finish))
      ;; hover
      (goto-char (point-min))
      (search-forward "PyTuple_GET_ITEM(args, 0)")
      (goto-char (+ (match-beginning 0) 3))
      (let* ((hover (lsp-request "textDocument/hover" (lsp--text-document-position-params)))
             (value (lsp:markup-content-value (lsp:hover-contents hover))))
        (t-check (string-match-p "PyTuple_GetItem" value) "hover names PyTuple_GetItem"))
      ;; quick fix at point
      (let* ((actions (lsp-code-actions-at-point "quickfix"))
             (fix (cl-find-if (lambda (a) (string-match-p "PyTuple_GetItem" (lsp:code-action-title a))) actions)))
        (t-check fix (format "quick fix offered (%d actions)" (length actions)))
        (when fix (lsp-execute-code-action fix)))
      (t-check (save-excursion (goto-char (point-min)) (search-forward "PyTuple_GetItem(args, 0)" nil t))
               "quick fix applied")
      (t-check (t-wait (lambda () (= (length (funcall diags)) 1)) 5) "one ABI001 left")
      ;; fix all and target through the package's commands
      (abi3ls-fix-all)
      (t-check (save-excursion (goto-char (point-min)) (not (search-forward "PyTuple_GET_ITEM" nil t)))
               "abi3ls-fix-all rewrote the rest")
      (let ((msg (abi3ls-show-target)))
        (t-check (string-match-p "abi3 3\\.10\\+" msg) (format "abi3ls-show-target: %s" msg))))
    (set-buffer-modified-p nil)
    (lsp-workspace-shutdown (car (lsp-workspaces)))))
(t-finish)
