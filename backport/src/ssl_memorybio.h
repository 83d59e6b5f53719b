/* ssl_memorybio.h: what backports.ssl_memorybio adds to the series' _ssl.c.
 *
 * tool/sdist.sh takes Modules/_ssl.c as pristine 2.7.18 plus the series
 * makes it, and applies backport/adapt-_ssl.c.patch, which renames the
 * module to _ssl_memorybio and includes this file just before the module's
 * init function, so that it sees the file's static types.  The module then
 * runs SSLObject over the SSL_CTX of the interpreter's own (stock)
 * ssl.SSLContext, and raises the stock exception classes.
 *
 * Licensed under the PSF License Version 2, as _ssl.c (backport/LICENSE).
 */
#include <dlfcn.h>

/* The start of PySSLContext in every CPython from 2.7.9 to 2.7.18: the
 * SSL_CTX comes first.  What follows it changes between releases and with
 * the OpenSSL they were built for, and is never read here. */
typedef struct {
    PyObject_HEAD
    SSL_CTX *ctx;
} memorybio_StockContext;

static PyTypeObject *memorybio_stock_context_type = NULL;

/* memorybio_where(ADDRESS): the file of the loaded object holding it. */
static const char *
memorybio_where(void *address)
{
    Dl_info info;

    if (address != NULL && dladdr(address, &info) && info.dli_fname != NULL)
        return info.dli_fname;
    return "(unknown)";
}

/* Refuse (ImportError) unless the stock _ssl module resolves NAME to the
 * very function this module calls: two copies of OpenSSL in one process
 * cannot share an SSL_CTX (it crashes). */
static int
memorybio_same_function(void *stock_handle, const char *stock_file,
                        const char *name, void *ours)
{
    void *theirs = dlsym(stock_handle, name);

    if (theirs == NULL) {
        PyErr_Format(PyExc_ImportError,
                     "backports.ssl_memorybio: cannot tell which OpenSSL the "
                     "interpreter's _ssl module (%s) uses: it does not "
                     "resolve %s (OpenSSL linked statically?)",
                     stock_file, name);
        return -1;
    }
    if (theirs != ours) {
        PyErr_Format(PyExc_ImportError,
                     "backports.ssl_memorybio was built against a different "
                     "OpenSSL than the interpreter's _ssl module: %s comes "
                     "from %s for _ssl (%s) but from %s for this module; "
                     "rebuild it against the headers of the OpenSSL that "
                     "_ssl loads",
                     name, memorybio_where(theirs), stock_file,
                     memorybio_where(ours));
        return -1;
    }
    return 0;
}

/* Before anything else: the OpenSSL loaded for this module must be the one
 * the stock _ssl module loaded (checked by address, not by version), and
 * its version one these headers describe. */
static int
memorybio_check_library(void)
{
    PyObject *stock, *file;
    const char *stock_file = "(built in)";
    void *handle;
    int rc;
    unsigned long built = OPENSSL_VERSION_NUMBER, running = SSLeay();

    stock = PyImport_ImportModule("_ssl");
    if (stock == NULL)
        return -1;
    file = PyObject_GetAttrString(stock, "__file__");
    if (file == NULL) {
        PyErr_Clear();          /* _ssl built into the interpreter */
        handle = dlopen(NULL, RTLD_LAZY);
    }
    else {
        stock_file = PyString_AsString(file);
        handle = stock_file ? dlopen(stock_file, RTLD_LAZY | RTLD_NOLOAD) : NULL;
    }
    if (handle == NULL) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ImportError,
                         "backports.ssl_memorybio: cannot look into the "
                         "interpreter's _ssl module (%s): %s",
                         stock_file, dlerror());
        Py_XDECREF(file);
        Py_DECREF(stock);
        return -1;
    }
    rc = memorybio_same_function(handle, stock_file, "SSL_CTX_new",
                                 (void *)SSL_CTX_new);
    if (rc == 0)
        rc = memorybio_same_function(handle, stock_file, "ERR_get_error",
                                     (void *)ERR_get_error);
    dlclose(handle);
    Py_XDECREF(file);
    if (rc < 0) {
        Py_DECREF(stock);
        return -1;
    }
    /* The same library, and headers of its ABI: major.minor.fix before
       OpenSSL 3, the major version from 3 on. */
    if ((built >= 0x30000000L) ? (built >> 28) != (running >> 28)
                               : (built >> 12) != (running >> 12)) {
        PyErr_Format(PyExc_ImportError,
                     "backports.ssl_memorybio was built with the headers of "
                     "OpenSSL 0x%lx, but runs on %s (0x%lx): rebuild it "
                     "against the headers of the OpenSSL that _ssl loads",
                     built, SSLeay_version(SSLEAY_VERSION), running);
        Py_DECREF(stock);
        return -1;
    }
    memorybio_stock_context_type =
        (PyTypeObject *)PyObject_GetAttrString(stock, "_SSLContext");
    Py_DECREF(stock);
    if (memorybio_stock_context_type == NULL)
        return -1;
    if (!PyType_Check(memorybio_stock_context_type)) {
        PyErr_SetString(PyExc_ImportError,
                        "backports.ssl_memorybio: _ssl._SSLContext is not "
                        "a type");
        return -1;
    }
    return 0;
}

/* The stock exception classes (ssl.SSLError, SSLWantReadError, ...) instead
 * of this module's own, so that code catching ssl.SSLError catches
 * SSLObject's errors.  They get the same 'reason' and 'library'. */
static int
memorybio_use_stock_errors(void)
{
    static const struct {
        const char *name;
        PyObject **error;
    } errors[] = {
        {"SSLError", &PySSLErrorObject},
        {"SSLZeroReturnError", &PySSLZeroReturnErrorObject},
        {"SSLWantReadError", &PySSLWantReadErrorObject},
        {"SSLWantWriteError", &PySSLWantWriteErrorObject},
        {"SSLSyscallError", &PySSLSyscallErrorObject},
        {"SSLEOFError", &PySSLEOFErrorObject},
    };
    PyObject *stock, *error;
    size_t i;

    stock = PyImport_ImportModule("_ssl");
    if (stock == NULL)
        return -1;
    for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
        error = PyObject_GetAttrString(stock, errors[i].name);
        if (error == NULL) {
            Py_DECREF(stock);
            return -1;
        }
        Py_XDECREF(*errors[i].error);
        *errors[i].error = error;
    }
    Py_DECREF(stock);
    return 0;
}

PyDoc_STRVAR(memorybio_context_of_doc,
"_context_of(ctx) -> _SSLContext\n\
\n\
A context of this module over the SSL_CTX of ctx, a stock ssl.SSLContext\n\
(holding a reference to the SSL_CTX), with ctx's check_hostname.  Every\n\
other setting lives in the SSL_CTX, so it applies as set on ctx.");

static PyObject *
memorybio_context_of(PyObject *module, PyObject *stock)
{
    SSL_CTX *ctx;
    PySSLContext *self;
    PyObject *value;
    long options;
    int check_hostname;

    if (!PyObject_TypeCheck(stock, memorybio_stock_context_type)) {
        PyErr_Format(PyExc_TypeError,
                     "expected an ssl.SSLContext, got %.200s",
                     Py_TYPE(stock)->tp_name);
        return NULL;
    }
    ctx = ((memorybio_StockContext *)stock)->ctx;
    /* Read through the stock methods what is read here through the
       SSL_CTX: a different layout is refused, not crashed into. */
    value = PyObject_GetAttrString(stock, "options");
    if (value == NULL)
        return NULL;
    options = PyLong_AsLong(value);
    Py_DECREF(value);
    if (options == -1 && PyErr_Occurred())
        return NULL;
    if (ctx == NULL || options != (long)SSL_CTX_get_options(ctx)) {
        PyErr_SetString(PyExc_RuntimeError,
                         "backports.ssl_memorybio: this interpreter's "
                         "SSLContext does not start with its SSL_CTX");
        return NULL;
    }
    value = PyObject_GetAttrString(stock, "check_hostname");
    if (value == NULL)
        return NULL;
    check_hostname = PyObject_IsTrue(value);
    Py_DECREF(value);
    if (check_hostname < 0)
        return NULL;

    self = (PySSLContext *)PySSLContext_Type.tp_alloc(&PySSLContext_Type, 0);
    if (self == NULL)
        return NULL;
#if OPENSSL_VERSION_NUMBER >= 0x10100000L && !defined(LIBRESSL_VERSION_NUMBER)
    if (!SSL_CTX_up_ref(ctx)) {
        Py_DECREF(self);        /* frees nothing: self->ctx is NULL */
        return _setSSLError(NULL, 0, __FILE__, __LINE__);
    }
#else
    CRYPTO_add(&ctx->references, 1, CRYPTO_LOCK_SSL_CTX);
#endif
    self->ctx = ctx;
    self->check_hostname = check_hostname;
    return (PyObject *)self;
}

static PyMethodDef memorybio_context_of_def = {
    "_context_of", (PyCFunction)memorybio_context_of, METH_O,
    memorybio_context_of_doc
};

/* After the module's own init: the stock errors, and _context_of(). */
static int
memorybio_init(PyObject *m)
{
    PyObject *f;

    if (memorybio_use_stock_errors() < 0)
        return -1;
    f = PyCFunction_New(&memorybio_context_of_def, NULL);
    if (f == NULL || PyModule_AddObject(m, "_context_of", f) < 0)
        return -1;
    return 0;
}
