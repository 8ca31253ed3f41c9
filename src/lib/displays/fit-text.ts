import type { Attachment } from 'svelte/attachments';

/** Whether an element's content fits its box (a pixel of rounding allowed). */
const fits = (el: HTMLElement) => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1;

/**
 * Sets an element's text as large as its CSS allows and no larger than its box: the font
 * size the stylesheet gives is the largest, and while the text overflows (scrollHeight past
 * clientHeight) the size is halved in on, down to `min` px. The element's box must not grow
 * with its text (a height, or a max-height, with overflow hidden). A binary search costs a
 * handful of layouts, once per text and again only when the parent is resized.
 *
 * Use as `{@attach fitText(text)}`: passing the text makes a new text refit.
 */
export function fitText(text: string | undefined, min = 14): Attachment<HTMLElement> {
	return (el) => {
		void text;
		let frame = 0;
		const fit = () => {
			el.style.fontSize = '';
			if (fits(el)) return;
			let lo = min;
			let hi = parseFloat(getComputedStyle(el).fontSize);
			while (hi - lo > 0.5) {
				const mid = (lo + hi) / 2;
				el.style.fontSize = `${mid}px`;
				if (fits(el)) lo = mid;
				else hi = mid;
			}
			el.style.fontSize = `${lo}px`;
		};
		fit();
		// The parent, not the element: the element's own size follows its font as it is fitted.
		const resized = new ResizeObserver(() => {
			cancelAnimationFrame(frame);
			frame = requestAnimationFrame(fit);
		});
		if (el.parentElement) resized.observe(el.parentElement);
		return () => {
			resized.disconnect();
			cancelAnimationFrame(frame);
		};
	};
}
