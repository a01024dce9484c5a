// A changed build: posts lose `author`, `views` becomes a string, the X-Total-Count
// pagination header is no longer sent. Loaded with `json-server --middlewares`.
const change = (item) => {
  if (item && typeof item === 'object' && 'views' in item) {
    delete item.author;
    item.views = String(item.views);
  }
  return item;
};

module.exports = (req, res, next) => {
  const jsonp = res.jsonp.bind(res);
  res.jsonp = (data) => jsonp(Array.isArray(data) ? data.map(change) : change(data));
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) =>
    String(name).toLowerCase() === 'x-total-count' ? res : setHeader(name, value);
  next();
};
